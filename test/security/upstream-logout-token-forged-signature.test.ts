/**
 * A logout token that the upstream did not sign ends nothing: one signed with another key under the
 * upstream's kid, an unsigned one (alg none), and one "signed" with HS256 using the upstream's public
 * key as the secret (the algorithm-confusion forgery). Each is a 400 invalid_request, and the session lives on.
 */
import { base64url, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { sqliteBackend } from '../support/backends.ts';
import {
  BACKCHANNEL_LOGOUT_EVENT, clientIdAt, postLogoutToken, sessionUids, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

function claimsFor(subject: string) {
  const { acme } = setup();
  const now = Math.floor(Date.now() / 1000);
  return { iss: acme.op.issuer, aud: clientIdAt('acme'), iat: now, exp: now + 120, jti: randomUUID(), sub: subject, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } };
}

const forgeries: Array<[string, (subject: string) => Promise<string>]> = [
  ['another key under the upstream\'s kid', async (subject) => {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(claimsFor(subject)).setProtectedHeader({ alg: 'RS256', kid: setup().acme.op.jwks.keys[0]!.kid!, typ: 'logout+jwt' }).sign(privateKey);
  }],
  ['alg none', async (subject) => {
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    return `${part({ alg: 'none', typ: 'logout+jwt' })}.${part(claimsFor(subject))}.`;
  }],
  ['HS256 keyed with the upstream\'s public key', async (subject) => {
    const secret = new TextEncoder().encode(JSON.stringify(setup().acme.op.jwks.keys[0]));
    return new SignJWT(claimsFor(subject)).setProtectedHeader({ alg: 'HS256', kid: setup().acme.op.jwks.keys[0]!.kid!, typ: 'logout+jwt' }).sign(secret);
  }],
];

test.each(forgeries)('a logout token with %s is refused and ends nothing', async (_name, forge) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'acme', await forge(login.subject));
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});
