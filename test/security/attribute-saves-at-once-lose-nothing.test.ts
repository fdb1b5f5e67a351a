/**
 * Two saves of different attributes at the same time (an administrator's PATCH, the CLI, the
 * person on their account page) each change only what they were asked to: neither writes back a
 * stale copy of the other's attribute. Concurrent HTTP requests on a real store, both backends.
 */
import { AccountPages } from '../support/account-pages.ts';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const NAMES = Array.from({ length: 20 }, (_, index) => `a${index}`);
const ATTRIBUTES = [
  ...NAMES.map((name) => ({ name, type: 'string' })),
  { name: 'pronouns', type: 'string', label: 'Pronouns', userEditable: true },
];

describe.each(backends)('attribute saves at once on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, { config: { attributes: ATTRIBUTES } }, async (ready) => {
    kl = ready.kl;
    admin = await AdminSession.open(kl);
  });

  test('twenty PATCHes of twenty different attributes at once keep all twenty', async () => {
    const user = await createTestUser(kl);
    const answers = await Promise.all(NAMES.map((name) => admin.call('PATCH', `/users/${user.id}`, { attributes: { [name]: `value of ${name}` } })));
    expect(answers.map((answer) => answer.status)).toEqual(NAMES.map(() => 200));
    const stored = (await kl.store.accounts.findById(user.id))?.attributes;
    expect(stored).toEqual(Object.fromEntries(NAMES.map((name) => [name, `value of ${name}`])));
  });

  test('the person\'s save on the account page and administrators\' PATCHes at once keep both', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/access');
    await pages.signIn(user);
    const csrf = hiddenField(pages.page.text, 'csrf') ?? '';
    const [own, ...patched] = await Promise.all([
      pages.browser.postForm(`${kl.url}/account/access/attributes`, { csrf, 'attribute.pronouns': 'they/them' }),
      ...NAMES.slice(0, 10).map((name) => admin.call('PATCH', `/users/${user.id}`, { attributes: { [name]: name } })),
    ]);
    expect(own!.status).toBe(303);
    expect(patched.map((answer) => answer.status)).toEqual(NAMES.slice(0, 10).map(() => 200));
    const stored = (await kl.store.accounts.findById(user.id))?.attributes;
    expect(stored).toEqual({ pronouns: 'they/them', ...Object.fromEntries(NAMES.slice(0, 10).map((name) => [name, name])) });
  });
});
