import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import type { Store } from '../../store/store.ts';
import type { OwnApiTokenBinding } from './own-api-token-binding.ts';
import { ISSUED_JWT_MODEL, REVOKED_JWT_MODEL, type IssuedJwtRecord } from './jwt-token-models.ts';

export interface AccessTokenClaims extends JWTPayload {
  jti: string;
  client_id: string;
  exp: number;
  scope?: string;
}

export type JwtJudgement =
  | { active: true; claims: AccessTokenClaims; record?: IssuedJwtRecord }
  | { active: false; claims?: AccessTokenClaims; record?: IssuedJwtRecord };

/** A user's token has a subject other than its client; client_credentials tokens have sub = client_id. */
function belongsToUser(claims: AccessTokenClaims): boolean {
  return claims.sub !== undefined && claims.sub !== claims.client_id;
}

/**
 * Whether a JWT access token Keyline issued is still good, by the same rules oidc-provider applies
 * to its opaque tokens: signature, issuer, type and expiry; then not revoked, its client still
 * registered, and for a user's token its grant alive, its session alive where the token ends with
 * the session, and its account enabled. A token for one of Keyline's own APIs is also judged by
 * its client's current registration (see OwnApiTokenBinding).
 */
export class JwtAccessTokenState {
  readonly #provider: Provider;
  readonly #store: Store;
  readonly #keys: ReturnType<typeof createLocalJWKSet>;
  readonly #ownApis: OwnApiTokenBinding | undefined;

  constructor(provider: Provider, store: Store, publicJwks: { keys: JWK[] }, ownApis?: OwnApiTokenBinding) {
    this.#provider = provider;
    this.#store = store;
    this.#keys = createLocalJWKSet(publicJwks);
    this.#ownApis = ownApis;
  }

  /** The verified claims of a token Keyline signed, or undefined (forged, foreign, wrong type or expired). */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#keys, { issuer: this.#provider.issuer, typ: 'at+jwt' });
      const claims = payload as AccessTokenClaims;
      if (typeof claims.jti !== 'string' || typeof claims.client_id !== 'string' || typeof claims.exp !== 'number') return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  async judge(token: string): Promise<JwtJudgement> {
    const verified = await this.verify(token);
    if (!verified) return { active: false };
    const claims = this.#ownApis?.isForOwnApi(verified) ? await this.#ownApis.currentRights(verified) : verified;
    if (!claims) return { active: false, claims: verified };
    const [revoked, client] = await Promise.all([
      this.#store.oidc.find(REVOKED_JWT_MODEL, claims.jti),
      this.#provider.Client.find(claims.client_id),
    ]);
    if (revoked || !client) return { active: false, claims };
    if (!belongsToUser(claims)) return { active: true, claims };

    const record = await this.#store.oidc.find(ISSUED_JWT_MODEL, claims.jti) as IssuedJwtRecord | undefined;
    if (!record || record.accountId !== claims.sub || record.clientId !== claims.client_id) return { active: false, claims };
    const [grant, session, account] = await Promise.all([
      this.#provider.Grant.find(record.grantId),
      record.expiresWithSession && record.sessionUid ? this.#provider.Session.findByUid(record.sessionUid) : undefined,
      this.#store.accounts.findById(record.accountId),
    ]);
    const grantGood = grant && !grant.isExpired && grant.clientId === record.clientId && grant.accountId === record.accountId;
    const sessionGood = !record.expiresWithSession || session !== undefined;
    if (!grantGood || !sessionGood || !account || account.disabled) return { active: false, claims, record };
    return { active: true, claims, record };
  }

  /** Keeps the jti as revoked until the token would have expired anyway, and forgets its binding. */
  async revoke(claims: AccessTokenClaims): Promise<void> {
    const secondsLeft = claims.exp - Math.floor(Date.now() / 1000);
    if (secondsLeft <= 0) return;
    await this.#store.oidc.upsert(REVOKED_JWT_MODEL, claims.jti, { clientId: claims.client_id }, secondsLeft);
    await this.#store.oidc.destroy(ISSUED_JWT_MODEL, claims.jti);
  }
}
