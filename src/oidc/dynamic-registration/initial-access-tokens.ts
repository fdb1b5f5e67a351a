import type Provider from 'oidc-provider';
import { KEYLINE_POLICY } from './registration-policy.ts';

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
  expiresAt: Date;
}

export async function createInitialAccessToken(provider: Provider, expiresInSeconds: number, maxUses?: number): Promise<CreatedInitialAccessToken> {
  const iat = new provider.InitialAccessToken({ expiresIn: expiresInSeconds, policies: [KEYLINE_POLICY] });
  if (maxUses) (iat as unknown as { keylineMaxUses: number }).keylineMaxUses = maxUses;
  const token = await iat.save();
  return { token, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
}
