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

/** The live sessions of an account, newest first. */
export async function listSessions(oidc: OidcRecords, accountId: string): Promise<SessionSummary[]> {
  return (await oidc.listByAccount('Session', accountId)).map(summarize);
}
