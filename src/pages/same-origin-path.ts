const LONGEST_RETURN_PATH = 2048;

/**
 * Where a form may send a person back to on this server: a relative path (`/interaction/abc?x=1`)
 * whose resolution stays on the issuer's origin. `//evil.example`, `/\evil.example`,
 * `https://evil.example`, `javascript:` and control characters all resolve elsewhere or are
 * refused, so a crafted link cannot turn Keyline into an open redirect. Dot segments are resolved
 * away (`/.//evil`, `/..//evil` become `//evil`), so the path sent back is checked once more: a
 * browser reads `//evil` in Location as another host.
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
  if (resolved.origin !== origin) return undefined;
  const path = `${resolved.pathname}${resolved.search}`;
  return path.startsWith('//') ? undefined : path;
}
