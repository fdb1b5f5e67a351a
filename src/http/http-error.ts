import type { ErrorKind } from '../pages/error-kinds.ts';

/**
 * An error with the status and OAuth-style code to send. The message is developer-facing (JSON
 * answers, the log); a person sees the page of `kind`, or the one the code maps to.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly kind: ErrorKind | undefined;

  constructor(status: number, code: string, message: string, options: { kind?: ErrorKind } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.kind = options.kind;
  }
}
