import type { AmrValue } from '../accounts/authentication-level.ts';
import type { UpstreamIdentity } from './upstream.ts';

/** RFC 8176 methods that are a second factor when an upstream reports them beside its first. */
const SECOND_FACTORS = new Set(['otp', 'sms', 'tel', 'hwk', 'swk', 'sc', 'fpt', 'face', 'iris', 'retina', 'vbm']);
/** `acr` values upstreams use for "more than a password" (Keyline's own, and OpenID PAPE's). */
const MULTI_FACTOR_ACRS = new Set([
  'urn:keyline:acr:mfa', 'phr', 'phrh', 'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical',
]);

/**
 * What an upstream sign-in proved, in Keyline's terms: always `fed`; with `trustMfa`, also `mfa`
 * when the upstream says it used more than one factor (its `amr` says `mfa` or names a second
 * factor, or its `acr` is a multi-factor one), and `otp` when it said so. Never `hwk`/`swk`:
 * those reach Keyline's phishing-resistant level, which a claim relayed through a redirect cannot
 * prove. An untrusted upstream's own words count for nothing: Keyline's own second factor follows.
 */
export function upstreamAmr(trustMfa: boolean, identity: Pick<UpstreamIdentity, 'amr' | 'acr'>): AmrValue[] {
  if (!trustMfa) return ['fed'];
  const claimed = (identity.amr ?? []).filter((value) => typeof value === 'string');
  const multiFactor = claimed.includes('mfa') || claimed.some((value) => SECOND_FACTORS.has(value))
    || (identity.acr !== undefined && MULTI_FACTOR_ACRS.has(identity.acr));
  return ['fed', ...(claimed.includes('otp') ? ['otp' as const] : []), ...(multiFactor ? ['mfa' as const] : [])];
}
