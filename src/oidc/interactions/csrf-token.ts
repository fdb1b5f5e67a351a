import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A CSRF token bound to one interaction: HMAC(secret, uid). A form from another interaction,
 * or one forged without the secret, carries a token that does not verify.
 */
export function csrfTokenFor(secret: string, interactionUid: string): string {
  return createHmac('sha256', secret).update(`csrf:${interactionUid}`).digest('base64url');
}

export function csrfTokenMatches(secret: string, interactionUid: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secret, interactionUid));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
