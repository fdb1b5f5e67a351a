import { ISSUED_JWT_MODEL } from '../oidc/jwt-access-tokens/jwt-token-models.ts';
import type { OidcRecords, OidcRecordSummary } from '../store/store.ts';

/** A live session as an administrator sees it: never its id, which is the value of the user's session cookie. */
export interface SessionSummary {
  /** The session's public identifier (the `sid` of its id_tokens). */
  uid: string | null;
  createdAt: string | null;
  lastSeenAt: string | null;
  expiresAt: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The clients signed in through it. */
  clients: string[];
}

interface SessionPayload {
  uid?: string;
  loginTs?: number;
  iat?: number;
  authorizations?: Record<string, { grantId?: unknown }>;
  keylineIp?: string;
  keylineUserAgent?: string;
  keylineLastSeen?: number;
}

const isoFromEpoch = (seconds: number | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

function summarize({ payload, expiresAt }: OidcRecordSummary): SessionSummary {
  const session = payload as SessionPayload;
  return {
    uid: session.uid ?? null,
    createdAt: isoFromEpoch(session.loginTs),
    lastSeenAt: typeof session.keylineLastSeen === 'number' ? new Date(session.keylineLastSeen).toISOString() : isoFromEpoch(session.iat),
    expiresAt: expiresAt?.toISOString() ?? null,
    ip: session.keylineIp ?? null,
    userAgent: session.keylineUserAgent ?? null,
    clients: Object.keys(session.authorizations ?? {}),
  };
}

/** The token models that hang off a grant; with the grant they all go (what oidc-provider's own revoke removes). */
const GRANT_BOUND_MODELS = ['AccessToken', ISSUED_JWT_MODEL, 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** The live sessions of an account, newest first. */
export async function listSessions(oidc: OidcRecords, accountId: string): Promise<SessionSummary[]> {
  return (await oidc.listByAccount('Session', accountId)).map(summarize);
}

/**
 * Ends one session of an account, and every grant it carries with their tokens, refresh tokens
 * included: an administrator ending a session means that device keeps nothing it was given.
 * Returns false when the account has no live session with that uid.
 */
export async function revokeSession(oidc: OidcRecords, accountId: string, uid: string): Promise<boolean> {
  const session = (await oidc.listByAccount('Session', accountId)).find((record) => record.payload.uid === uid);
  if (!session) return false;
  const authorizations = (session.payload as SessionPayload).authorizations ?? {};
  const grantIds = Object.values(authorizations).map((authorization) => authorization.grantId).filter((id): id is string => typeof id === 'string');
  await oidc.destroy('Session', session.id);
  for (const grantId of grantIds) {
    await Promise.all(GRANT_BOUND_MODELS.map((model) => oidc.revokeByGrantId(model, grantId)));
    await oidc.destroy('Grant', grantId);
  }
  return true;
}
