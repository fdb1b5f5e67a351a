/**
 * Never trust an email alone: a pushed session-revoked or account-disabled whose subject is an
 * email (alone, or as a complex subject's user), an opaque id, or an iss_sub of another issuer names
 * no linked identity, so it ends no one's sessions (the SET itself is accepted: 202, as RFC 8935 says
 * of SETs the receiver chooses not to act on).
 */
import { sqliteBackend } from '../support/backends.ts';
import { recordUpstreamSession } from '../../src/federation/upstream-sessions.ts';
import {
  ACCOUNT_DISABLED, pushSet, securityEventToken, sessionUids, SESSION_REVOKED, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test.each([
  ['an email', (email: string) => ({ format: 'email', email })],
  ['a complex subject whose user is an email', (email: string) => ({ format: 'complex', user: { format: 'email', email } })],
  ['an opaque id', (email: string) => ({ format: 'opaque', id: email })],
])('%s ends nothing', async (_name, subjectFor) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  for (const event of [SESSION_REVOKED, ACCOUNT_DISABLED]) {
    const set = await securityEventToken(kl, acme, { [event]: {} }, { sub_id: subjectFor(login.user.email) });
    expect((await pushSet(kl, 'acme', set, acme.bearer)).status).toBe(202);
  }
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
  await expect(recordUpstreamSession(kl.store, {
    upstreamId: 'acme', subject: login.subject, accountId: login.user.id, interactionUid: 'still-allowed',
  })).resolves.toBeUndefined();
});

test('an iss_sub of another issuer ends nothing, though the sub is the linked one', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const set = await securityEventToken(kl, acme, { [SESSION_REVOKED]: {} }, { sub_id: { format: 'iss_sub', iss: 'https://elsewhere.example', sub: login.subject } });
  expect((await pushSet(kl, 'acme', set, acme.bearer)).status).toBe(202);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});
