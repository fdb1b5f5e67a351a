/**
 * How strongly a user signed in, as OpenID Connect `acr` values, weakest first, and the RFC 8176
 * `amr` methods that reach each level.
 */
export const ACR = {
  password: 'urn:keyline:acr:pwd',
  multiFactor: 'urn:keyline:acr:mfa',
  phishingResistant: 'phr',
} as const;

export type AcrValue = (typeof ACR)[keyof typeof ACR];

export const ACR_VALUES_SUPPORTED: readonly AcrValue[] = [ACR.password, ACR.multiFactor, ACR.phishingResistant];

/**
 * RFC 8176 methods Keyline reports, and `fed`: the person signed in through an upstream identity
 * provider (issue 22's value; not in RFC 8176's registry). `fed` alone reaches the password level.
 */
export type AmrValue = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa' | 'fed';

const rank = (acr: AcrValue) => ACR_VALUES_SUPPORTED.indexOf(acr);

export function isAcrValue(value: string): value is AcrValue {
  return (ACR_VALUES_SUPPORTED as readonly string[]).includes(value);
}

/**
 * The level the methods used reach. A passkey is origin-bound, so any sign-in that used one is
 * phishing-resistant (a passkey alone is accepted only with user verification, so it is also two
 * factors); a password with a one-time code is two factors; a password alone is one.
 */
export function levelOf(amr: readonly AmrValue[]): AcrValue {
  if (amr.includes('hwk') || amr.includes('swk')) return ACR.phishingResistant;
  if (amr.includes('mfa')) return ACR.multiFactor;
  return ACR.password;
}

export function satisfies(achieved: AcrValue, required: AcrValue | undefined): boolean {
  return required === undefined || rank(achieved) >= rank(required);
}

export function strongest(levels: Array<AcrValue | undefined>): AcrValue | undefined {
  return levels.reduce<AcrValue | undefined>((best, level) => (level && (!best || rank(level) > rank(best)) ? level : best), undefined);
}

/**
 * What a request asks for: any one of the supported values it names satisfies it (OIDC Core
 * §3.1.2.1), so the requirement is the weakest of them; unknown values are ignored.
 */
export function requestedLevel(values: readonly string[]): AcrValue | undefined {
  const supported = values.filter(isAcrValue);
  return supported.reduce<AcrValue | undefined>((weakest, level) => (!weakest || rank(level) < rank(weakest) ? level : weakest), undefined);
}

/**
 * The `acr` to report: among the values the request named, the strongest one the sign-in
 * satisfies (so an essential `acr` claim gets one of its values); otherwise the level reached.
 */
export function reportedAcr(achieved: AcrValue, requested: readonly string[]): AcrValue {
  const met = requested.filter(isAcrValue).filter((value) => satisfies(achieved, value));
  return strongest(met) ?? achieved;
}
