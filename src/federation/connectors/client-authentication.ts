import { createPrivateKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as client from 'openid-client';
import type { SecretSealer } from '../../accounts/factors/secret-sealer.ts';
import type { UpstreamRecord } from '../../store/store.ts';
import { openUpstreamSecret } from '../upstream-secrets.ts';
import { UpstreamError } from '../upstream.ts';
import { appleClientSecret } from './apple-client-secret.ts';

/**
 * How Keyline authenticates to this upstream's token endpoint, with its secret opened now, for this
 * one request: client_secret_basic (the default), client_secret_post, private_key_jwt, or Apple's
 * signed client secret.
 */
export async function clientAuthentication(sealer: SecretSealer, upstream: UpstreamRecord): Promise<client.ClientAuth> {
  const method = String(upstream.settings.authMethod ?? 'client_secret_basic');
  const secret = (name: 'clientSecret' | 'privateKey') => {
    const value = openUpstreamSecret(sealer, upstream, name);
    if (value === undefined) throw new UpstreamError('misconfigured', `upstream ${upstream.id} has no ${name} for ${method}`);
    return value;
  };
  switch (method) {
    case 'client_secret_basic': return client.ClientSecretBasic(secret('clientSecret'));
    case 'client_secret_post': return client.ClientSecretPost(secret('clientSecret'));
    case 'private_key_jwt': {
      const pem = secret('privateKey');
      const type = createPrivateKey(pem).asymmetricKeyType;
      const alg = type === 'ec' ? 'ES256' : type === 'ed25519' ? 'EdDSA' : 'RS256';
      return client.PrivateKeyJwt(await importPKCS8(createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }).toString(), alg));
    }
    case 'apple_client_secret_jwt': return client.ClientSecretPost(await appleClientSecret({
      teamId: String(upstream.settings.appleTeamId), keyId: String(upstream.settings.appleKeyId),
      clientId: String(upstream.settings.clientId), privateKeyPem: secret('privateKey'),
    }));
    default: throw new UpstreamError('misconfigured', `upstream ${upstream.id} has an unknown auth method ${method}`);
  }
}
