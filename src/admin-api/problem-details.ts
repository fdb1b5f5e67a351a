import type { Context, Next } from 'koa';
import { AccountError } from '../accounts/account-errors.ts';
import { AttributeError } from '../authorization/attributes.ts';
import { AuditUnavailableError } from '../audit/audited-change.ts';
import { AuthorizationError } from '../authorization/authorization-error.ts';
import { UpstreamSettingsError } from '../federation/upstream-settings-error.ts';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { KeyAlreadyRetiredError, SigningKeyInUseError, SigningKeyNotFoundError } from '../keys/signing-key-errors.ts';
import { ClientRegistrationError } from '../oidc/client-registration.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import { DuplicateError, NotFoundError, StoreUnavailableError } from '../store/store-errors.ts';
import { ProblemError, titleFor, type Problem, type ProblemField } from './problem.ts';

/** The body field each of a client registration's settings is given in. */
function clientSettingField(error: ClientRegistrationError): ProblemField[] | undefined {
  return error.setting ? [{ pointer: `#/${error.setting}`, detail: error.message }] : undefined;
}

/** Account problems name their inputs: `email`, `password`, or a claim under `profile` (`address.country`). */
function accountFields(error: AccountError): ProblemField[] | undefined {
  if (error.fields.length === 0) return undefined;
  const details = error.message.split('; ');
  return error.fields.map((field, index) => ({
    pointer: field === 'email' || field === 'password' ? `#/${field}` : `#/profile/${field.replaceAll('.', '/')}`,
    detail: details[index] ?? error.message,
  }));
}

function problem(status: number, code: string, detail: string, errors?: ProblemField[], headers?: Record<string, string>): Problem {
  return { type: 'about:blank', title: titleFor(status), status, detail, code, ...(errors ? { errors } : {}), ...(headers ? { headers } : {}) };
}

/** koa and @koa/router throw http-errors (405, 501, a body too large); their message is meant to be shown. */
function isHttpError(error: unknown): error is { status: number; message: string; expose: boolean } {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && (error as { expose?: unknown }).expose === true;
}

/** What an error means for an admin API caller. Domain errors are mapped here, in one place. */
export function problemFor(error: unknown): Problem {
  if (error instanceof ProblemError) return problem(error.status, error.code, error.message, error.errors, error.headers);
  if (error instanceof ClientRegistrationError) return problem(422, 'invalid_client_settings', error.message, clientSettingField(error));
  if (error instanceof AccountError) return problem(422, 'invalid_user', error.message, accountFields(error));
  if (error instanceof AttributeError) {
    return problem(422, 'invalid_attributes', error.message, error.problems.map(({ attribute, message }) => ({
      pointer: `#/attributes/${attribute.replaceAll('~', '~0').replaceAll('/', '~1')}`, detail: message,
    })));
  }
  if (error instanceof AuthorizationError) return problem(422, 'invalid_request', error.message, [{ pointer: `#/${error.field}`, detail: error.message }]);
  if (error instanceof UpstreamSettingsError) return problem(422, 'invalid_upstream_settings', error.message, [{ pointer: `#/${error.field}`, detail: error.message }]);
  if (error instanceof NotFoundError || error instanceof SigningKeyNotFoundError) return problem(404, 'not_found', error.message);
  if (error instanceof DuplicateError) return problem(409, 'already_exists', error.message);
  if (error instanceof StateConflictError || error instanceof SigningKeyInUseError || error instanceof KeyAlreadyRetiredError) {
    return problem(409, 'conflict', error.message);
  }
  if (error instanceof AuditUnavailableError) {
    return problem(503, 'temporarily_unavailable', 'The audit trail could not record this call, so it was not carried out. Try again shortly.', undefined, { 'Retry-After': '5' });
  }
  if (error instanceof StoreUnavailableError) {
    return problem(503, 'temporarily_unavailable', 'The identity store is unreachable right now; nothing was changed. Try again shortly.', undefined, { 'Retry-After': '5' });
  }
  if (error instanceof HttpError) return problem(error.status, error.code, error.message);
  if (isHttpError(error)) return problem(error.status, error.status === 405 ? 'method_not_allowed' : 'invalid_request', error.message);
  return problem(500, 'server_error', 'Something went wrong on our side; the request id in X-Request-Id finds it in the log.');
}

/**
 * Every admin API answer that is not a success is an RFC 9457 problem detail
 * (`application/problem+json`), never a page or a stack trace; unexpected errors are logged.
 */
export async function problemDetails(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    const { code, headers, ...body } = problemFor(error);
    if (body.status >= 500) ctx.state.log.error({ err: error }, 'admin API call failed');
    ctx.state.errorCode = code;
    ctx.status = body.status;
    for (const [name, value] of Object.entries(headers ?? {})) ctx.set(name, value);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/problem+json';
    ctx.body = JSON.stringify(body);
  }
}
