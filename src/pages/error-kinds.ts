/**
 * What a person is told about a failed request. Each kind has a title, a sentence of what
 * happened and one of what to do in the catalogues (`errors.<kind>.*`); the OAuth error code and
 * its developer-facing description go to the log line, never to the page.
 */
export const ERROR_KINDS = [
  'unknown_client', 'bad_redirect_uri', 'expired', 'form_expired', 'access_denied', 'not_found', 'throttled',
  'unavailable', 'server_error', 'bad_request', 'malformed_state', 'logout_without_client',
  'missing_redirect_uri', 'bad_logout_redirect_uri', 'unknown_hint_client', 'bad_logout_request',
  // An upstream identity provider's step failed (src/federation/upstream-error-page.ts chooses which).
  'upstream_denied', 'upstream_unreachable', 'upstream_failed',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

const BY_CODE: Record<string, ErrorKind> = {
  invalid_client: 'unknown_client',
  invalid_redirect_uri: 'bad_redirect_uri',
  session_not_found: 'expired',
  interaction_mismatch: 'expired',
  unexpected_consent: 'expired',
  invalid_csrf_token: 'form_expired',
  access_denied: 'access_denied',
  not_found: 'not_found',
  login_throttled: 'throttled',
  temporarily_unavailable: 'unavailable',
  server_error: 'server_error',
};

/**
 * `signOut`: the request was a sign-out (RP-initiated logout), whose pages must not speak of
 * signing in. oidc-provider's descriptions tell apart what its codes do not.
 */
export function errorKindOf(status: number, code: string, description = '', signOut = false): ErrorKind {
  if (/post_logout_redirect_uri/.test(description)) return 'bad_logout_redirect_uri';
  if (code === 'invalid_client' && /id_token_hint/.test(description)) return 'unknown_hint_client';
  if (/^missing required parameters? .*redirect_uri/.test(description)) return 'missing_redirect_uri';
  const kind = kindOf(status, code, description);
  return signOut && kind === 'bad_request' ? 'bad_logout_request' : kind;
}

function kindOf(status: number, code: string, description: string): ErrorKind {
  const known = BY_CODE[code];
  if (known) return known;
  // oidc-provider reports a lost or expired interaction as invalid_request "interaction session not found".
  if (code === 'invalid_request' && /interaction|session/i.test(description)) return 'expired';
  if (/redirect_uri/.test(description)) return 'bad_redirect_uri';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}
