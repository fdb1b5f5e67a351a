/** The event types Keyline emits (CAEP 1.0, RISC 1.0) and the SSF 1.0 stream events. */
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
export const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
export const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
export const ACCOUNT_ENABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
export const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
export const STREAM_UPDATED = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';

/** What a stream may ask for; verification (and stream-updated) events are sent whatever it asked. */
export const EVENTS_SUPPORTED = [SESSION_REVOKED, CREDENTIAL_CHANGE, TOKEN_CLAIMS_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED] as const;

/** RFC 8935 and RFC 8936, as SSF names the delivery methods. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

/** The events a stream gets: those it asked for that Keyline emits (all of them when it asked for none). */
export function eventsDelivered(eventsRequested: readonly string[]): string[] {
  if (eventsRequested.length === 0) return [...EVENTS_SUPPORTED];
  return EVENTS_SUPPORTED.filter((type) => eventsRequested.includes(type));
}
