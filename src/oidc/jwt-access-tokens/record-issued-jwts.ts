import type Provider from 'oidc-provider';
import type { Store } from '../../store/store.ts';
import { ISSUED_JWT_MODEL, type IssuedJwtRecord } from './jwt-token-models.ts';

interface SavableAccessToken {
  save(...args: unknown[]): Promise<string>;
  format?: string;
  jti?: string;
  grantId?: string;
  accountId?: string;
  clientId?: string;
  sessionUid?: string;
  expiresWithSession?: boolean;
  expiration: number;
}

/**
 * After oidc-provider signs a JWT access token for a user's grant, Keyline records what the token is
 * bound to, before the token leaves in the response, so introspection can judge it at once.
 * Client-credentials JWTs belong to no grant or user and are not recorded (no write on that hot path).
 */
export function recordIssuedJwts(provider: Provider, store: Store): void {
  const accessTokenProto = provider.AccessToken.prototype as unknown as SavableAccessToken;
  const save = accessTokenProto.save;
  accessTokenProto.save = async function saveAndRecord(this: SavableAccessToken, ...args: unknown[]) {
    const value = await save.apply(this, args);
    if (this.format === 'jwt' && this.jti && this.grantId && this.accountId && this.clientId) {
      const record: IssuedJwtRecord = {
        grantId: this.grantId,
        accountId: this.accountId,
        clientId: this.clientId,
        ...(this.sessionUid ? { sessionUid: this.sessionUid } : {}),
        ...(this.expiresWithSession ? { expiresWithSession: true } : {}),
      };
      await store.oidc.upsert(ISSUED_JWT_MODEL, this.jti, record, this.expiration);
    }
    return value;
  };
}
