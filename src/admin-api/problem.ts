/** One input at fault: `pointer` (RFC 6901, into the JSON body) or `parameter` (query or path). */
export interface ProblemField {
  detail: string;
  pointer?: string;
  parameter?: string;
}

/** An RFC 9457 problem detail object as the admin API sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The OAuth-style code for log lines (`invalid_token`, `validation_failed`, ...); not sent. */
  code: string;
  errors?: ProblemField[];
  /** Headers the answer needs (WWW-Authenticate). */
  headers?: Record<string, string>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 503: 'Service Unavailable',
};

/** The problem statuses the admin API can answer with, for the OpenAPI document. */
export const PROBLEM_STATUSES = Object.keys(TITLES).map(Number);

export function titleFor(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** A refusal the admin API answers as a problem detail; `detail` says precisely what and why. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ProblemField[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, code: string, detail: string, options: { errors?: ProblemField[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}
