/**
 * Mix-up: each upstream has its own endpoint, and a token is checked against that upstream's
 * issuer, keys and client id only. A token acme issued, posted to the other upstream's endpoint, is
 * refused; a token the other upstream signs naming acme's subject ends nothing of acme's.
 */
import { sqliteBackend } from '../support/backends.ts';
import {
  addOidcUpstream, clientIdAt, logoutToken, postLogoutToken, sessionUids, signedInThroughUpstream, useUpstreamLogout, type AddedUpstream,
} from '../support/upstream-logout.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';

let otherOp: UpstreamOp;
let other: AddedUpstream;
const setup = useUpstreamLogout(sqliteBackend, async ({ kl }) => {
  otherOp = await startUpstreamOp({ clients: [{ client_id: clientIdAt('other'), client_secret: 'y'.repeat(32), redirect_uris: ['http://127.0.0.1:9/cb'] }], accounts: [] });
  other = await addOidcUpstream(kl, otherOp, 'other');
});
afterAll(() => otherOp?.close());

test('a token for acme posted to the other upstream\'s endpoint is refused', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'other', await logoutToken(acme, { sub: login.subject, sid: login.upstreamSid }));
  expect(answer.status).toBe(400);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('a token the other upstream signs with acme\'s issuer and client id is refused at acme\'s endpoint', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const forged = await logoutToken(other, { iss: acme.op.issuer, aud: clientIdAt('acme'), sub: login.subject });
  expect((await postLogoutToken(kl, 'acme', forged)).status).toBe(400);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('the other upstream naming acme\'s subject and sid at its own endpoint ends nothing of acme\'s', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'other', await logoutToken(other, { sub: login.subject, sid: login.upstreamSid }));
  expect(answer.status).toBe(200);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});
