import type { KoaContextWithOIDC, Session } from 'oidc-provider';
import type { Config } from '../config/schema.ts';

const REMEMBERED_IDLE = 7 * 24 * 3600;
const REMEMBERED_ABSOLUTE = 30 * 24 * 3600;

/**
 * oidc-provider slides a session's TTL every time it is saved. Capping each save at
 * login time + the absolute lifetime makes the store itself forget the session then,
 * however active it is. "Remember me" (a persistent, non-transient cookie) extends both limits.
 */
export function sessionTtl(config: Config) {
  return (_ctx: KoaContextWithOIDC, session: Session): number => {
    const now = Math.floor(Date.now() / 1000);
    const remembered = !session.transient && session.accountId !== undefined;
    const idle = remembered ? Math.max(REMEMBERED_IDLE, config.ttl.sessionIdle) : config.ttl.sessionIdle;
    const absolute = remembered ? Math.max(REMEMBERED_ABSOLUTE, config.ttl.sessionAbsolute) : config.ttl.sessionAbsolute;
    const startedAt = session.loginTs ?? now;
    return Math.max(1, Math.min(idle, startedAt + absolute - now));
  };
}
