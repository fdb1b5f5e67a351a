/**
 * Attack (or accident): an account with no password and no passkey has two linked sign-ins; both
 * are unlinked at once (two tabs, a replayed form). Each unlink alone leaves one way in; together
 * they would leave none. The server serializes them: at least one link always stays.
 */
import { NO_PASSWORD } from '../../src/accounts/no-password.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity, signedInToSecurityPage } from '../support/linked-account.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

afterAll(stopMongoTestServer);

describe.each(await allBackends())('on $name', (backend) => {
  let f: KeylineFixture;
  useKeyline(backend, {}, async (fixture) => {
    f = fixture;
    await addUpstream(fixture.kl, { id: 'acme', name: 'Acme' });
    await addUpstream(fixture.kl, { id: 'globex', name: 'Globex' });
  });

  test('two parallel unlinks of the last two links of a password-less account never leave zero', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { pages, accountId } = await signedInToSecurityPage(f.kl);
      await linkIdentity(f.kl, accountId, 'acme', `a-${round}`);
      await linkIdentity(f.kl, accountId, 'globex', `g-${round}`);
      await f.kl.store.accounts.update(accountId, { passwordHash: NO_PASSWORD });
      const csrf = hiddenField((await pages.open('/account/security')).text, 'csrf')!;
      const url = `${f.kl.url}/account/security/identities/unlink`;
      const answers = await Promise.all([
        pages.browser.postForm(url, { csrf, upstream: 'acme', subject: `a-${round}` }),
        pages.browser.postForm(url, { csrf, upstream: 'globex', subject: `g-${round}` }),
      ]);
      expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThanOrEqual(1);
      expect(await f.kl.store.federatedIdentities.listByAccount(accountId)).toHaveLength(answers.every((answer) => answer.status === 409) ? 2 : 1);
    }
  });
});
