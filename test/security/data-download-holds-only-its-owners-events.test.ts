import { AdminSession, adminCall, personToken, registerPersonAdminClient } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import { postStep, uidOf } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * "Download my data" reads the audit trail by account id OR address. An address changes hands: a
 * person deletes their account (or an administrator removes it) and someone else signs up with
 * it later. The newcomer's file then held the previous owner's whole history (their account id,
 * sign-ins, IP addresses, profile before/after). And an administrator's change to the account
 * carried the administrator's own account id and IP address. The file holds the events of this
 * account, and the address's events since it was created; another person's identity and address stay out.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('whose events "Download my data" holds on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { account: { selfDelete: true } } }, (ready) => { ({ kl } = ready); });

  async function download(pages: AccountPages): Promise<{ text: string; document: { auditEvents: Array<Record<string, any>> } }> {
    await pages.open('/account/data');
    const answer = await pages.browser.postForm(`${kl.url}/account/data/download`, { csrf: hiddenField(pages.page.text, 'csrf') ?? '' });
    expect(answer.status).toBe(200);
    return { text: answer.text, document: JSON.parse(answer.text) };
  }

  /** A wrong password for the address on the sign-in page: an event that names only the address. */
  async function failedSignIn(user: TestUser): Promise<void> {
    const pages = new AccountPages(kl);
    await pages.open('/account/data');
    await postStep({ kl, browser: pages.browser, page: pages.page, uid: uidOf(pages.page.text) }, 'login', { email: user.email, password: 'not the password' });
  }

  test('the previous owner of the address and an administrator stay out of the file', async () => {
    // The address's first owner: a failed sign-in, a sign-in, a download, then they delete the account.
    const previous = await createTestUser(kl);
    await failedSignIn(previous);
    const theirs = new AccountPages(kl);
    await theirs.open('/account/delete');
    await theirs.signIn(previous);
    await download(theirs);
    await theirs.open('/account/delete');
    const gone = await theirs.post('/account/delete');
    expect(gone.status).toBe(200);
    expect(await kl.keyline.accounts.findById(previous.id)).toBeUndefined();

    // Someone else signs up with the same address; an administrator (a person, through the admin API) renames them.
    const account = await kl.keyline.accounts.create(previous.email, 'another long pass phrase', 'Newcomer');
    const person: TestUser = { id: account.id, email: previous.email, password: 'another long pass phrase' };
    const administrator = await createTestUser(kl);
    await (await AdminSession.open(kl)).expect(201, 'POST', '/roles/keyline-admin/grants', { kind: 'user', id: administrator.id });
    const token = await personToken(kl, await registerPersonAdminClient(kl), administrator);
    expect((await adminCall(kl, token, 'PATCH', `/users/${person.id}`, { name: 'Newcomer Renamed' })).status).toBe(200);

    const pages = new AccountPages(kl);
    await pages.open('/account/data');
    await pages.signIn(person);
    const { text, document } = await download(pages);

    // Nothing of the previous owner: not their id, not their events.
    expect(text).not.toContain(previous.id);
    expect(document.auditEvents.map((event) => event.type)).not.toEqual(expect.arrayContaining(['user.removed']));
    expect(document.auditEvents.filter((event) => event.type === 'login.failed')).toEqual([]);
    expect(document.auditEvents.filter((event) => event.type === 'account.data_exported')).toHaveLength(0);

    // The administrator's change is there, without who they are or where they were.
    expect(text).not.toContain(administrator.id);
    expect(text).not.toContain(administrator.email);
    const renamed = document.auditEvents.find((event) => event.type === 'user.updated');
    expect(renamed).toMatchObject({ actor: 'administrator', ip: null, data: { after: { name: 'Newcomer Renamed' } } });

    // The person's own events keep their own address.
    const own = document.auditEvents.find((event) => event.type === 'login.succeeded');
    expect(own).toMatchObject({ actor: `user:${person.id}` });
    expect(own!.ip).toEqual(expect.any(String));
  });
});
