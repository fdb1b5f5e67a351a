import * as client from 'openid-client';
import { errors as joseErrors } from 'jose';
import { PrivateAddressRefused, ResponseTooLarge } from '../../outbound/outbound-fetch.ts';
import { UpstreamError } from '../upstream.ts';
import { UpstreamKeysUnavailable } from '../upstream-keys.ts';

/** Any cause in the chain that is one of these. */
function causedBy(error: unknown, test: (cause: unknown) => boolean): boolean {
  for (let cause = error, depth = 0; cause && depth < 8; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    if (test(cause)) return true;
  }
  return false;
}

function status(error: unknown): number | undefined {
  let found: number | undefined;
  causedBy(error, (cause) => {
    const value = (cause as { status?: unknown }).status;
    if (typeof value === 'number') found = value;
    return found !== undefined;
  });
  return found;
}

/**
 * What went wrong with an upstream, as the login flow tells it: the person said no ('denied'), the
 * upstream could not be reached or failed on its side ('unreachable'), Keyline may not call it
 * ('misconfigured': the outbound guard refused its address), or its answer failed a check
 * ('invalid_response'). The reason names the step and the check, never the upstream's own words.
 */
export function asUpstreamError(error: unknown, step: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    if (error.error === 'access_denied') return new UpstreamError('denied', `${step}: the upstream answered access_denied`, { cause: error });
    if (error.error === 'temporarily_unavailable' || error.error === 'server_error') {
      return new UpstreamError('unreachable', `${step}: the upstream answered ${error.error}`, { cause: error });
    }
    return new UpstreamError('invalid_response', `${step}: the upstream answered an error (${safeCode(error.error)})`, { cause: error });
  }
  if (causedBy(error, (cause) => cause instanceof PrivateAddressRefused)) {
    return new UpstreamError('misconfigured', `${step}: the outbound guard refused the upstream's address (outbound.allowPrivateNetworks is off)`, { cause: error });
  }
  const code = status(error);
  if (code !== undefined && code >= 500) return new UpstreamError('unreachable', `${step}: the upstream answered HTTP ${code}`, { cause: error });
  if (error instanceof client.ResponseBodyError) {
    return new UpstreamError('invalid_response', `${step}: the upstream refused (${safeCode(error.error)}, HTTP ${error.status})`, { cause: error });
  }
  if (causedBy(error, (cause) => cause instanceof ResponseTooLarge)) {
    return new UpstreamError('invalid_response', `${step}: the upstream's answer was too large`, { cause: error });
  }
  if (causedBy(error, (cause) => cause instanceof TypeError && /fetch failed/.test(cause.message)
    || (cause instanceof DOMException && (cause.name === 'TimeoutError' || cause.name === 'AbortError'))
    || (cause instanceof Error && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(String((cause as { code?: unknown }).code))))) {
    return new UpstreamError('unreachable', `${step}: the upstream could not be reached`, { cause: error });
  }
  if (error instanceof joseErrors.JOSEError || error instanceof client.ClientError || error instanceof UpstreamKeysUnavailable) {
    return new UpstreamError('invalid_response', `${step}: ${error.message}`, { cause: error });
  }
  return new UpstreamError('invalid_response', `${step}: the upstream's answer failed a check`, { cause: error });
}

/** An OAuth error code is a token of a fixed alphabet; anything else is not repeated. */
function safeCode(code: string): string {
  return /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(code) ? code : 'unrecognised error';
}
