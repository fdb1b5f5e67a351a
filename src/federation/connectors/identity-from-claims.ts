import type { PresetClaims } from '../presets.ts';
import type { UpstreamRecord } from '../../store/store.ts';
import { UpstreamError, type UpstreamIdentity } from '../upstream.ts';

const OIDC_CLAIMS: PresetClaims = { subject: 'sub', email: 'email', emailVerified: 'email_verified' };

/** Which claims say who the person is at this upstream: the operator's (--subject-claim...), else its preset's, else OpenID Connect's. */
export function claimNamesOf(upstream: UpstreamRecord): PresetClaims {
  const preset = upstream.settings.claims as Partial<PresetClaims> | undefined;
  const { subjectClaim, emailClaim, emailVerifiedClaim } = upstream.settings;
  return {
    ...OIDC_CLAIMS,
    ...preset,
    ...(typeof subjectClaim === 'string' ? { subject: subjectClaim } : {}),
    ...(typeof emailClaim === 'string' ? { email: emailClaim } : {}),
    ...(typeof emailVerifiedClaim === 'string' ? { emailVerified: emailVerifiedClaim } : {}),
  };
}

/**
 * The identity in an upstream's claims: the subject from its subject claim (never the email), the
 * email verified only when the upstream asserts it (true, or "true" as Apple sends it; an upstream
 * with no verified claim never asserts it).
 */
export function identityFromClaims(upstream: UpstreamRecord, claims: Record<string, unknown>, extra: Partial<UpstreamIdentity> = {}): UpstreamIdentity {
  const names = claimNamesOf(upstream);
  const subject = claims[names.subject];
  if ((typeof subject !== 'string' && typeof subject !== 'number') || String(subject) === '' || String(subject).length > 255) {
    throw new UpstreamError('invalid_response', `the upstream's answer has no usable ${names.subject}`);
  }
  const email = typeof claims[names.email] === 'string' && (claims[names.email] as string).includes('@') ? (claims[names.email] as string) : null;
  const verified = names.emailVerified === null ? false : claims[names.emailVerified];
  return {
    subject: String(subject),
    email,
    emailVerified: email !== null && (verified === true || verified === 'true'),
    claims,
    ...extra,
  };
}
