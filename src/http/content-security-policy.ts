/**
 * An origin the header can name as it is (CSP3 host-source without a wildcard): http(s), a host of
 * dotted letters, digits and '-' (an internationalised name in its xn-- form) or an IP literal,
 * and a port. The URL parser keeps `*`, `;`, `,` and quotes in a host, so an origin taken from a
 * URL someone else chose (a picture, a logo) could otherwise allow every host, start a directive
 * or a second policy.
 */
const NAMEABLE_ORIGIN = /^https?:\/\/(?:(?:[a-z0-9-]+\.)*[a-z0-9-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export function cspCanName(origin: string): boolean {
  return NAMEABLE_ORIGIN.test(origin);
}

/**
 * The pages' Content-Security-Policy. Scripts and styles need this response's nonce; images come
 * from Keyline itself, `data:`, and the https origins the operator configured (a logo URL) or a
 * page names (a client's registered logo). Stylesheets from an operator-configured https origin
 * are allowed too; scripts fetch from Keyline itself. Nothing else is loaded from anywhere.
 */
export class ContentSecurityPolicy {
  readonly #imageOrigins: string[];
  readonly #styleOrigins: string[];
  /** The usual header (no page-specific image origins) cut around its two nonces: one concatenation per response. */
  readonly #around: [string, string, string];

  constructor(extra: { img?: string[]; style?: string[] } = {}) {
    this.#imageOrigins = [...new Set(extra.img ?? [])];
    this.#styleOrigins = [...new Set(extra.style ?? [])];
    const cut = '\u0000';
    const [before = '', between = '', after = ''] = this.#build(cut, []).split(cut);
    this.#around = [before, between, after];
  }

  /** A page's own image origins that the header cannot name as they are are left out (the image is then blocked, never the policy widened). */
  header(nonce: string, pageImageOrigins: string[] = []): string {
    const moreImageOrigins = pageImageOrigins.filter(cspCanName);
    if (moreImageOrigins.length === 0) return this.#around[0] + nonce + this.#around[1] + nonce + this.#around[2];
    return this.#build(nonce, moreImageOrigins);
  }

  #build(nonce: string, moreImageOrigins: string[]): string {
    const images = [...new Set([...this.#imageOrigins, ...moreImageOrigins])];
    return [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      ['style-src', `'nonce-${nonce}'`, ...this.#styleOrigins].join(' '),
      ['img-src', "'self'", 'data:', ...images].join(' '),
      // The passkey script posts to Keyline itself; nothing else is fetched.
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; ');
  }
}
