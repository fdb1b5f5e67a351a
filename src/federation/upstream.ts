import type { UpstreamRecord } from '../store/store.ts';

/**
 * The one shape every upstream type (oidc, oauth2, ldap; saml later) has towards the login flow.
 * The flow knows only "an upstream step" of one of two kinds: a redirect (the browser goes to the
 * upstream and comes back to /federation/callback) or a password (the person types their directory
 * password on Keyline's own page). A new type is one more file that implements UpstreamConnector;
 * the flow, the store and the administration do not change.
 */
export type UpstreamStepKind = 'redirect' | 'password';

/** What the flow hands a connector when a person chooses an upstream (or home-realm discovery chose it). */
export interface UpstreamStart {
  upstream: UpstreamRecord;
  /** Keyline's callback URL for redirect connectors (one for every upstream: state says which). */
  callbackUrl: string;
  /** The interaction this step belongs to; a redirect connector binds its state to it. */
  interactionUid: string;
  /** What the person typed when identifier-first chose this upstream (login_hint for OIDC, the LDAP user). */
  loginHint?: string;
}

/**
 * What a connector keeps between start and finish (state, nonce, PKCE verifier...). The flow stores
 * it with the interaction, bound to the browser; the connector alone reads it. Never a secret of the
 * upstream's (client secret, bind password): those stay sealed in the upstream record.
 */
export type UpstreamPending = Record<string, string>;

export type UpstreamStartResult =
  | { kind: 'redirect'; location: string; pending: UpstreamPending }
  | { kind: 'password'; pending: UpstreamPending };

/** What came back: the callback's query/form parameters (redirect), or the typed username and password. */
export type UpstreamFinishInput =
  | { kind: 'redirect'; parameters: Record<string, string>; pending: UpstreamPending }
  | {
    kind: 'password'; username: string; password: string; pending: UpstreamPending;
    /**
     * Called once the upstream has said who the typed name is (its entry's DN, or undefined for
     * no one), before the password is checked; it throws to stop the check (the throttle counts
     * the person, not the spelling the directory happened to match).
     */
    admit?: (entry: string | undefined) => Promise<void>;
  };

/**
 * The upstream's verified word about the person. `subject` is what identifies them from now on
 * (the OIDC `sub` under the upstream's issuer, a GitHub user id, an LDAP DN or objectGUID), never
 * an email. `claims` are the raw claims or attributes, which `map` turns into profile fields.
 */
export interface UpstreamIdentity {
  subject: string;
  email: string | null;
  /** True only when the upstream asserts it (`email_verified: true` or its provider's equivalent). */
  emailVerified: boolean;
  claims: Record<string, unknown>;
  /** The upstream's own `amr`/`acr`, which count only with trustMfa. */
  amr?: string[];
  acr?: string;
  /** The upstream's session id (OIDC `sid`), for its back-channel logout. */
  sessionId?: string;
}

/** Why a connector refused; `reason` is safe to show and log (no token, no secret, no upstream body). */
export type UpstreamFailure = 'denied' | 'unreachable' | 'invalid_response' | 'invalid_credentials' | 'misconfigured';

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;

  constructor(failure: UpstreamFailure, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'UpstreamError';
    this.failure = failure;
  }
}

/** What mapping gives the account: profile fields and custom attributes by name, and Keyline group names. */
export interface MappedIdentity {
  profile: Record<string, unknown>;
  attributes: Record<string, unknown>;
  groups: string[];
}

/**
 * One upstream type. `start` and `finish` speak the protocol (through the one guarded outbound
 * fetch; secrets opened with the secrets sealer at the moment of use); `map` is pure: it applies the
 * upstream's mapping to an identity, the same for every type.
 */
export interface UpstreamConnector {
  readonly type: UpstreamRecord['type'];
  readonly step: UpstreamStepKind;
  start(input: UpstreamStart): Promise<UpstreamStartResult>;
  /** Throws UpstreamError for anything the upstream refused or got wrong. */
  finish(upstream: UpstreamRecord, input: UpstreamFinishInput): Promise<UpstreamIdentity>;
  map(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity;
}
