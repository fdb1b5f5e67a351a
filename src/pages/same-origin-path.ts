const LONGEST_RETURN_PATH = 2048;

/**
 * Where a form may send a person back to on this server: a relative path (`/interaction/abc?x=1`)
 * whose resolution stays on the issuer's origin. `//evil.example`, `/\evil.example`,
 * `https://evil.example`, `javascript:` and control characters all resolve elsewhere or are
 * refused, so a crafted link cannot turn Keyline into an open redirect.
 */
export function sameOriginPath(wanted: unknown, issuer: string): string | undefined {
  if (typeof wanted !== 'string' || wanted.length > LONGEST_RETURN_PATH) return undefined;
  if (!wanted.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(wanted)) return undefined;
  const origin = new URL(issuer).origin;
  let resolved: URL;
  try {
    resolved = new URL(wanted, origin);
  } catch {
    return undefined;
  }
  return resolved.origin === origin ? `${resolved.pathname}${resolved.search}` : undefined;
}
