/**
 * The shared-signals receiver takes pushes only from the transmitter that holds the bearer token
 * configured for its upstream (compared in constant time; stored sealed): without it, or with a
 * wrong one, or another upstream's, the answer is 401 JSON and nothing ends. An upstream without a
 * receiver has no endpoint (404). A SET that verifies but is not a SET (typ), or was meant for
 * another receiver (aud), or was delivered before (jti), is a 400 in RFC 8935's error format.
 */
import { randomBytes } from 'node:crypto';
import { sqliteBackend } from '../support/backends.ts';
import {
  addOidcUpstream, issSub, pushSet, securityEventToken, sessionUids, SESSION_REVOKED, signedInThroughUpstream, useUpstreamLogout, type AddedUpstream,
} from '../support/upstream-logout.ts';

let plain: AddedUpstream;
let second: AddedUpstream;
const setup = useUpstreamLogout(sqliteBackend, async ({ kl, acme }) => {
  plain = await addOidcUpstream(kl, acme.op, 'plain');
  second = await addOidcUpstream(kl, acme.op, 'second', { receiver: true });
});

async function revokeSet(subject: string, claims: Record<string, unknown> = {}, header?: { typ: string }) {
  const { kl, acme } = setup();
  if (header) return acme.op.sign({ iss: acme.op.issuer, aud: `${kl.url}/federation/acme/events`, iat: Math.floor(Date.now() / 1000), jti: randomBytes(8).toString('hex'), events: { [SESSION_REVOKED]: {} }, sub_id: issSub(acme, subject), ...claims }, header);
  return securityEventToken(kl, acme, { [SESSION_REVOKED]: {} }, { sub_id: issSub(acme, subject), ...claims });
}

test.each([
  ['no Authorization header', () => undefined],
  ['a wrong bearer token', () => randomBytes(32).toString('base64url')],
  ['another upstream\'s bearer token', () => second.bearer],
  ['the right token but one character short', () => setup().acme.bearer!.slice(0, -1)],
])('%s is a 401 and ends nothing', async (_name, bearer) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await pushSet(kl, 'acme', await revokeSet(login.subject), bearer());
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await answer.json()).toMatchObject({ err: 'authentication_failed' });
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('an upstream without a receiver has no events endpoint', async () => {
  const { kl, client } = setup();
  const login = await signedInThroughUpstream(kl, client, plain);
  const answer = await pushSet(kl, 'plain', await revokeSet(login.subject), 'anything-at-all');
  expect(answer.status).toBe(404);
  expect(await answer.json()).toMatchObject({ err: 'invalid_request' });
});

test.each([
  ['typed as a JWT, not a SET', {}, { typ: 'JWT' }, 'invalid_request'],
  ['meant for another receiver', { aud: 'https://another-receiver.example/events' }, undefined, 'invalid_audience'],
  ['from another issuer', { iss: 'https://elsewhere.example' }, undefined, 'invalid_issuer'],
])('a SET %s is a 400 with RFC 8935\'s error code', async (_name, claims, header, err) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await pushSet(kl, 'acme', await revokeSet(login.subject, claims, header), acme.bearer);
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ err });
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('a SET delivered twice acts once', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const set = await revokeSet(login.subject);
  const answers = await Promise.all(Array.from({ length: 10 }, () => pushSet(kl, 'acme', set, acme.bearer)));
  expect(answers.map((answer) => answer.status).sort()).toEqual([202, ...Array<number>(9).fill(400)]);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(0);
});
