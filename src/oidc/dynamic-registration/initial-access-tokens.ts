import type Provider from 'oidc-provider';
import type { AuditedRunner } from '../../audit/audited-change.ts';
import type { Store } from '../../store/store.ts';
import { recordHandle, storageKeyOf } from '../tokens-at-rest.ts';
import { KEYLINE_POLICY, usesCounterKey } from './registration-policy.ts';

const MODEL = 'InitialAccessToken';

interface PayloadModel {
  IN_PAYLOAD: string[];
}

/**
 * Initial access tokens also remember how many clients they may register (`--max-uses`), so the
 * limit travels with the token in the store and holds on every node.
 */
export function rememberMaxUses(provider: Provider): void {
  const model = provider.InitialAccessToken as unknown as PayloadModel;
  const inPayload = model.IN_PAYLOAD;
  Object.defineProperty(model, 'IN_PAYLOAD', { get: () => [...inPayload, 'keylineMaxUses'] });
}

export interface CreatedInitialAccessToken {
  token: string;
  /** What the token is listed, audited and revoked by: never the token itself. */
  id: string;
  expiresAt: Date;
}

interface UnsavedToken {
  jti?: string;
  keylineMaxUses?: number;
  generateTokenId(): string;
  save(): Promise<string>;
}

/** The token's value is drawn first, so the audit event (written before the token exists) can name its id. */
export async function createInitialAccessToken(
  provider: Provider, audited: AuditedRunner, expiresInSeconds: number, maxUses?: number,
): Promise<CreatedInitialAccessToken> {
  const iat = new provider.InitialAccessToken({ expiresIn: expiresInSeconds, policies: [KEYLINE_POLICY] }) as unknown as UnsavedToken;
  if (maxUses) iat.keylineMaxUses = maxUses;
  iat.jti = iat.generateTokenId();
  const id = recordHandle(storageKeyOf(iat.jti));
  const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
  const token = await audited({ type: 'registration_token.created', data: { id, expiresAt: expiresAt.toISOString(), maxUses: maxUses ?? null } },
    () => iat.save());
  return { token, id, expiresAt };
}

export interface ListedInitialAccessToken {
  id: string;
  expiresAt: Date | null;
  maxUses: number | null;
  /** How many clients it registered, where it counts them (with --max-uses). */
  uses: number | null;
}

/** The store key of a record: a token stored before tokens were hashed is keyed by its value. */
function keyOf(record: { id: string; payload: Record<string, unknown> }): string {
  return record.payload.jti === record.id ? storageKeyOf(record.id) : record.id;
}

/** Live initial access tokens, by id; their values are not in the store, so they cannot be shown. */
export async function listInitialAccessTokens(store: Store): Promise<ListedInitialAccessToken[]> {
  const records = await store.oidc.listByModel(MODEL);
  return Promise.all(records.map(async (record) => {
    const maxUses = typeof record.payload.keylineMaxUses === 'number' ? record.payload.keylineMaxUses : null;
    const counted = maxUses === null ? undefined : await store.counters.get(usesCounterKey(keyOf(record)));
    return { id: recordHandle(keyOf(record)), expiresAt: record.expiresAt, maxUses, uses: maxUses === null ? null : counted?.count ?? 0 };
  }));
}

/** Ends the token with this id (or this value) at once; false when there is no such live token. */
export async function revokeInitialAccessToken(store: Store, audited: AuditedRunner, idOrToken: string): Promise<boolean> {
  const wanted = new Set([idOrToken, recordHandle(storageKeyOf(idOrToken))]);
  const record = (await store.oidc.listByModel(MODEL)).find((candidate) => wanted.has(recordHandle(keyOf(candidate))));
  if (!record) return false;
  const id = recordHandle(keyOf(record));
  await audited({ type: 'registration_token.revoked', data: { id } }, () => store.oidc.destroy(MODEL, record.id));
  return true;
}
