/** The machine itself: the only place plain http may carry a code or a logout (RFC 8252 §7.3). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The one rule for redirect and post-logout redirect URIs, wherever a client is made or changed
 * (CLI, admin API, /reg): an absolute https URL, or plain http only to loopback; no fragment; no
 * `*`, because URIs are compared exactly and a wildcard would only mislead whoever typed it.
 * Returns what is wrong, in words for an administrator, or undefined when the URI is acceptable.
 */
export function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return `${JSON.stringify(uri)} is not an absolute URL`;
  const url = new URL(uri);
  const shown = JSON.stringify(uri);
  if (uri.includes('*') || /%2a/i.test(uri)) {
    return `${shown} has a "*": redirect URIs are matched exactly, wildcards are not supported; register each URI in full`;
  }
  if (url.hash || uri.includes('#')) return `${shown} has a #fragment, which a redirect URI must not have`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  if (url.protocol === 'http:') return `${shown} uses plain http to another machine: use https (plain http only to loopback: localhost, 127.0.0.1, [::1])`;
  return `${shown} is not an https URL (plain http only to loopback: localhost, 127.0.0.1, [::1])`;
}
