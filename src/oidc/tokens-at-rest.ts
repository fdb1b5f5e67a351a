import Provider from 'oidc-provider';
import { tokenHash } from '../keys/token-hash.ts';
import type { OidcPayload, OidcRecords, Store, TokenLookup } from '../store/store.ts';

/** The oidc-provider models whose record id is itself the bearer value a client presents. */
export const MODELS_STORED_BY_HASH: ReadonlySet<string> = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'DeviceCode',
  'InitialAccessToken', 'RegistrationAccessToken', 'BackchannelAuthenticationRequest',
]);

/**
 * What a record keeps in place of its value (`jti`): a reference to its own storage key. A device
 * code found by its user code has no other name: oidc-provider saves it again under that name and
 * keeps it in the sign-in's Interaction to find it again when the person comes back. So writes
 * accept the reference, and reads accept it only for a device code on those browser routes; a
 * value presented to a protocol endpoint (the token endpoint above all) is always hashed, so a
 * reference read from a copy of the database is no token.
 */
const STORED_KEY = 'stored:';
const DEVICE_USER_ROUTES: ReadonlySet<string> = new Set(['code_verification', 'device_resume']);

function referenceAllowed(model: string): boolean {
  return model === 'DeviceCode' && DEVICE_USER_ROUTES.has(Provider.ctx?.oidc?.route ?? '');
}

export function storageKeyOf(value: string): string {
  return tokenHash(value);
}

/** A short name for a stored token (its key's first 132 bits), for listings and the audit trail. */
export function recordHandle(storageKey: string): string {
  return storageKey.slice(0, 22);
}

/** The key a write goes to: the hash of a value, or the key a stored reference names. */
function writeKey(model: string, id: string): string {
  if (!MODELS_STORED_BY_HASH.has(model)) return id;
  return id.startsWith(STORED_KEY) ? id.slice(STORED_KEY.length) : storageKeyOf(id);
}

function readKey(model: string, id: string): string {
  return MODELS_STORED_BY_HASH.has(model) ? storageKeyOf(id) : id;
}

function userCodeKey(userCode: string): string {
  return `${STORED_KEY}${tokenHash(userCode)}`;
}

/** The payload as stored: no value, and a user code only as its hash. */
function atRest(key: string, payload: OidcPayload): OidcPayload {
  const { jti: _value, ...rest } = payload;
  const userCode = typeof rest.userCode === 'string' && !rest.userCode.startsWith(STORED_KEY) ? userCodeKey(rest.userCode) : rest.userCode;
  return { ...rest, jti: `${STORED_KEY}${key}`, ...(userCode === undefined ? {} : { userCode }) };
}

/** A record written before values were hashed: it carries its own value as `jti`. */
function isLegacy(id: string, payload: OidcPayload | undefined): boolean {
  return payload?.jti === id;
}

/**
 * The OIDC records as oidc-provider's adapter sees them, with every bearer value (refresh,
 * access and registration tokens, codes, device codes, initial access tokens) stored under its
 * SHA-256 and without the value in the payload, and user codes stored hashed: a copy of the
 * database yields no usable token. Records written before this (their payload names their value)
 * are still found under their value until `keyline migrate` rewrites them (see migrateTokensAtRest).
 * Below oidc-provider's adapter, so what the adapter does with a record (consumption, rotation,
 * reuse) is unchanged.
 */
export function tokensAtRest(records: OidcRecords): OidcRecords {
  const restore = (id: string, payload: OidcPayload | undefined) => {
    if (payload) payload.jti = id;
    return payload;
  };
  const legacy = async (model: string, id: string) => {
    const payload = await records.find(model, id);
    return isLegacy(id, payload) ? payload : undefined;
  };
  return {
    async upsert(model, id, payload, expiresInSeconds) {
      if (!MODELS_STORED_BY_HASH.has(model)) return records.upsert(model, id, payload, expiresInSeconds);
      const key = writeKey(model, id);
      await records.upsert(model, key, atRest(key, payload), expiresInSeconds);
    },
    async find(model, id) {
      if (!MODELS_STORED_BY_HASH.has(model)) return records.find(model, id);
      if (id.startsWith(STORED_KEY)) return referenceAllowed(model) ? records.find(model, id.slice(STORED_KEY.length)) : undefined;
      return restore(id, await records.find(model, readKey(model, id))) ?? legacy(model, id);
    },
    async findToken(models, id): Promise<TokenLookup | undefined> {
      const hashed = models.every((model) => MODELS_STORED_BY_HASH.has(model));
      if (!hashed) return records.findToken(models, id);
      const found = await records.findToken(models, storageKeyOf(id));
      if (found) return { ...found, payload: restore(id, found.payload)! };
      const old = await records.findToken(models, id);
      return old && isLegacy(id, old.payload) ? old : undefined;
    },
    findByUid: (model, uid) => records.findByUid(model, uid),
    async findByUserCode(model, userCode) {
      if (!MODELS_STORED_BY_HASH.has(model)) return records.findByUserCode(model, userCode);
      const found = await records.findByUserCode(model, userCodeKey(userCode));
      if (found) return { ...found, userCode };
      const old = await records.findByUserCode(model, userCode);
      return typeof old?.jti === 'string' && !old.jti.startsWith(STORED_KEY) ? old : undefined;
    },
    async consume(model, id) {
      if (await records.consume(model, writeKey(model, id))) return true;
      return MODELS_STORED_BY_HASH.has(model) && !id.startsWith(STORED_KEY) && await legacy(model, id) !== undefined
        && records.consume(model, id);
    },
    async destroy(model, id) {
      await records.destroy(model, writeKey(model, id));
      // A record from before hashing, under its value (nothing else is stored under a value).
      if (MODELS_STORED_BY_HASH.has(model) && !id.startsWith(STORED_KEY)) await records.destroy(model, id);
    },
    revokeByGrantId: (model, grantId) => records.revokeByGrantId(model, grantId),
    listByAccount: (model, accountId) => records.listByAccount(model, accountId),
    listByModel: (model) => records.listByModel(model),
    destroyByAccount: (accountId) => records.destroyByAccount(accountId),
  };
}

/** The store oidc-provider's adapter is given: the same, with its OIDC records kept as above. */
export function withTokensAtRest(store: Store): Store {
  return { ...store, oidc: tokensAtRest(store.oidc) };
}

/**
 * `keyline migrate`: rewrites every live record written before values were hashed under its
 * hash, keeping its expiry and whether it was used, then removes the original. Idempotent; a run
 * cut short leaves both copies of a record, and the next run finishes it.
 */
export async function migrateTokensAtRest(records: OidcRecords): Promise<number> {
  let rewritten = 0;
  for (const model of MODELS_STORED_BY_HASH) {
    for (const { id, payload, expiresAt } of await records.listByModel(model)) {
      if (!isLegacy(id, payload)) continue;
      const secondsLeft = expiresAt ? Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000)) : undefined;
      const { consumed, ...unconsumed } = payload;
      const key = storageKeyOf(id);
      await records.upsert(model, key, atRest(key, unconsumed), secondsLeft);
      if (consumed) await records.consume(model, key);
      await records.destroy(model, id);
      rewritten += 1;
    }
  }
  return rewritten;
}
