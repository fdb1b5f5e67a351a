import { readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { sqliteBackend } from '../support/backends.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest } from '../support/oidc-flow.ts';

/**
 * PyJWT 2.15, express-oauth2-jwt-bearer 1.10, go-oidc 3.21, golang-jwt 5.3 and Authlib 1.9 refuse
 * a token whose header says `Ed25519` and accept the same signature as `EdDSA`. A verifier that
 * knows only `EdDSA` is what `algorithms: ['EdDSA']` makes jose.
 */
const API = 'https://okp-api.example.test';
const ONLY_EDDSA = { algorithms: ['EdDSA'] };

describe('an Ed25519 key signs and is published as EdDSA unless Ed25519 is asked for', () => {
  let kl: RunningKeyline;
  useKeyline(sqliteBackend, { config: { resources: { [API]: { scopes: ['read'], signingAlg: 'EdDSA' } } } }, (ready) => { ({ kl } = ready); });

  test('discovery offers EdDSA before the fully specified name, for every signed artefact', async () => {
    const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    for (const member of ['id_token_signing_alg_values_supported', 'token_endpoint_auth_signing_alg_values_supported', 'dpop_signing_alg_values_supported']) {
      const algs = discovery[member] as string[];
      expect(algs).toContain('EdDSA');
      if (algs.includes('Ed25519')) expect(algs.indexOf('EdDSA')).toBeLessThan(algs.indexOf('Ed25519'));
    }
  });

  test('an id_token and an access token for the Ed25519 key verify as EdDSA against the JWKS, which says EdDSA', async () => {
    const jwks = await (await fetch(`${kl.url}/jwks`)).json() as JSONWebKeySet;
    const client = await registerTestClient(kl, { idTokenAlg: 'EdDSA' });
    const user = await createTestUser(kl);
    const tokens = await exchangeCode(kl, client, await signIn(kl, client, user));
    const idToken = String(tokens.body.id_token);
    const { protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: kl.url, audience: client.clientId, ...ONLY_EDDSA });
    expect(protectedHeader.alg).toBe('EdDSA');
    const signingKey = jwks.keys.find((key) => key.kid === protectedHeader.kid)!;
    expect(signingKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });

    const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [API], scopes: 'read' });
    const access = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: API });
    expect(access.status).toBe(200);
    const accessToken = String(access.body.access_token);
    expect(decodeProtectedHeader(accessToken).alg).toBe('EdDSA');
    await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: kl.url, audience: API, ...ONLY_EDDSA });
  });

  test('Ed25519 is used only where a client asks for it by name', async () => {
    const asking = await registerTestClient(kl, { idTokenAlg: 'Ed25519' });
    const user = await createTestUser(kl);
    const tokens = await exchangeCode(kl, asking, await signIn(kl, asking, user));
    expect(decodeProtectedHeader(String(tokens.body.id_token)).alg).toBe('Ed25519');
  });
});

describe('the documentation recommends the name client libraries accept', () => {
  let kl: RunningKeyline;
  useKeyline(sqliteBackend, {}, (ready) => { ({ kl } = ready); });
  const readme = readFileSync(new URL('../../docs/clients-and-apis.md', import.meta.url), 'utf8');
  const config = readFileSync(new URL('../../config/keyline.yaml', import.meta.url), 'utf8');

  test('the clients guide and the config example recommend EdDSA and say which libraries refuse Ed25519', () => {
    expect(readme).not.toMatch(/use `Ed25519`/);
    expect(config).not.toMatch(/prefer Ed25519/);
    for (const library of ['PyJWT', 'express-oauth2-jwt-bearer', 'go-oidc', 'golang-jwt', 'Authlib']) expect(readme).toContain(library);
  });

  test('the CLI help offers EdDSA for an Ed25519 key', async () => {
    for (const noun of ['clients', 'resources']) {
      const help = await runCli(kl, [noun, '--help']);
      expect(help.stdout + help.stderr).toMatch(/EdDSA[^\n]*Ed25519|EdDSA \(/);
    }
  });
});
