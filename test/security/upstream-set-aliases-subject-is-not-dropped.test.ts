/**
 * RFC 9493's `aliases` subject lists several identifiers of one person. Found in the attacker review
 * of fed-logout: a session-revoked naming the person as aliases (an email and the iss_sub Keyline
 * linked) was accepted and silently dropped, so the session the transmitter revoked lived on. Now
 * the one iss_sub under the upstream's issuer among the aliases names the person; the email beside
 * it is never used, and aliases naming two different people at the upstream end nothing.
 */
import { sqliteBackend } from '../support/backends.ts';
import {
  issSub, pushSet, securityEventToken, sessionUids, SESSION_REVOKED, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test('aliases with the linked iss_sub revoke that person\'s sessions through the upstream', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const subject = { format: 'aliases', identifiers: [{ format: 'email', email: login.user.email }, issSub(acme, login.subject)] };
  expect((await pushSet(kl, 'acme', await securityEventToken(kl, acme, { [SESSION_REVOKED]: {} }, { sub_id: subject }), acme.bearer)).status).toBe(202);
  expect(await sessionUids(kl, login.user.id)).toEqual([]);
});

test('aliases naming two people at the upstream (or only an email) end nothing', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const other = await signedInThroughUpstream(kl, client, acme);
  for (const subject of [
    { format: 'aliases', identifiers: [issSub(acme, login.subject), issSub(acme, other.subject)] },
    { format: 'aliases', identifiers: [{ format: 'email', email: login.user.email }] },
    { format: 'aliases', identifiers: [{ format: 'iss_sub', iss: 'https://elsewhere.example', sub: login.subject }] },
  ]) {
    expect((await pushSet(kl, 'acme', await securityEventToken(kl, acme, { [SESSION_REVOKED]: {} }, { sub_id: subject }), acme.bearer)).status).toBe(202);
  }
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
  expect(await sessionUids(kl, other.user.id)).toHaveLength(1);
});
