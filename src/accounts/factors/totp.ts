import { Secret, TOTP } from 'otpauth';

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s steps. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side, for clocks that drift (RFC 6238 §5.2). */
const ACCEPTED_SKEW_STEPS = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = '', issuer = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The otpauth:// URI an authenticator app scans: "issuer: account" and the secret. */
export function totpUri(secretBase32: string, issuer: string, accountName: string): string {
  return totp(secretBase32, accountName, issuer).toString();
}

/**
 * The time step the code belongs to, within ±1 step of now, or undefined when it matches none.
 * The caller must accept a step only if it is later than the last one accepted (no replay).
 */
export function matchingTotpStep(secretBase32: string, code: string, now = Date.now()): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secretBase32).validate({ token, timestamp: now, window: ACCEPTED_SKEW_STEPS });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}
