import type { Configuration } from 'oidc-provider';

/**
 * Over https the cookies carry the `__Host-` prefix (Secure, Path=/, no Domain) where their path is `/`,
 * and `__Secure-` where oidc-provider scopes them to an interaction path. Browsers refuse prefixed
 * cookies without Secure, so plain-http development uses unprefixed names.
 */
export function cookieSettings(issuer: string, keys: string[]): NonNullable<Configuration['cookies']> {
  const overTls = new URL(issuer).protocol === 'https:';
  const attributes = { httpOnly: true, sameSite: 'lax', signed: true } as const;
  return {
    keys,
    names: {
      session: overTls ? '__Host-keyline.session' : 'keyline.session',
      interaction: overTls ? '__Secure-keyline.interaction' : 'keyline.interaction',
      resume: overTls ? '__Secure-keyline.resume' : 'keyline.resume',
    },
    long: attributes,
    short: attributes,
  };
}
