import { AccountPages } from '../support/account-pages.ts';
import { ACCOUNT_PAGE_ATTRIBUTES } from '../support/attribute-declarations.ts';
import { allBackends } from '../support/backends.ts';
import { memberOfChildGroup } from '../support/groups-in-store.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the account page\'s groups, roles and details on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { attributes: ACCOUNT_PAGE_ATTRIBUTES } }, (ready) => { ({ kl } = ready); });

  async function signedIn(user: TestUser): Promise<AccountPages> {
    const pages = new AccountPages(kl);
    await pages.open('/account/access');
    await pages.signIn(user);
    return pages;
  }

  test('shows the person\'s groups (inherited too) and roles under the API they are for, read only', async () => {
    const user = await createTestUser(kl);
    await memberOfChildGroup(kl, user.id);
    await kl.store.roles.grant('keyline-viewer', { kind: 'user', id: user.id });

    const page = (await signedIn(user)).page;
    expect(page.status).toBe(200);
    expect(page.text).toContain('<li>engineering</li><li>platform</li>');
    expect(page.text).toMatch(/<h3>General<\/h3><ul class="kl-scopes"><li>staff<\/li><\/ul><h3>Keyline admin API<\/h3><ul class="kl-scopes"><li>keyline-viewer<\/li>/);
    expect(page.text).not.toContain('action="/account/groups');
  });

  test('someone in no group and with no role is told so', async () => {
    const page = (await signedIn(await createTestUser(kl))).page;
    expect(page.text).toContain('You are not in any group.');
    expect(page.text).toContain('You have no roles.');
  });

  test('editable attributes are inputs by type; the others are shown when labelled, never as inputs', async () => {
    const user = await createTestUser(kl);
    await kl.keyline.accounts.setAttributes(user.id, { department: 'Research', employee_id: 12, remote: true, skills: ['go', 'sql'] });
    const page = (await signedIn(user)).page.text;
    expect(page).toMatch(/<input type="checkbox" name="attribute\.remote" checked/);
    expect(page).toMatch(/<input id="attribute\.start_date" name="attribute\.start_date" value="" type="date"/);
    expect(page).toMatch(/<input id="attribute\.desk" name="attribute\.desk" value="" type="number"/);
    expect(page).toMatch(/<input id="attribute\.skills" name="attribute\.skills" value="go, sql" type="text"/);
    expect(page).toContain('<dt>Department</dt><dd>Research</dd>');
    expect(page).not.toContain('attribute.department');
    expect(page).not.toContain('employee_id');
    expect(page).not.toContain('>12<');
  });

  test('the person saves their attributes by type; only what changed is written and audited', async () => {
    const user = await createTestUser(kl);
    await kl.keyline.accounts.setAttributes(user.id, { department: 'Research' });
    const pages = await signedIn(user);
    const saved = await pages.post('/account/access/attributes', {
      'attribute.pronouns': 'they/them', 'attribute.remote': 'on', 'attribute.start_date': '2024-02-29', 'attribute.desk': '42', 'attribute.skills': 'go, sql',
    });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Your details are saved.');
    expect((await kl.keyline.accounts.findById(user.id))?.attributes).toEqual({
      department: 'Research', pronouns: 'they/them', remote: true, start_date: '2024-02-29', desk: 42, skills: ['go', 'sql'],
    });
    // Unticking a box makes it false; emptying a field removes the attribute; the rest stays.
    await pages.post('/account/access/attributes', {
      'attribute.pronouns': 'they/them', 'attribute.start_date': '', 'attribute.desk': '42', 'attribute.skills': 'go, sql',
    });
    expect((await kl.keyline.accounts.findById(user.id))?.attributes).toEqual({
      department: 'Research', pronouns: 'they/them', remote: false, desk: 42, skills: ['go', 'sql'],
    });
    const events = await kl.store.audit.query({ accountId: user.id, type: 'account.attributes_updated', limit: 10 });
    expect(events.map((event) => [event.actor, event.data])).toEqual([
      [`user:${user.id}`, { before: { attributes: { remote: true, start_date: '2024-02-29' } }, after: { attributes: { remote: false, start_date: null } } }],
      [`user:${user.id}`, expect.objectContaining({ after: { attributes: { pronouns: 'they/them', remote: true, start_date: '2024-02-29', desk: 42, skills: ['go', 'sql'] } } })],
    ]);
  });

  test('invalid values are marked field by field, kept in the form, and nothing is saved', async () => {
    const user = await createTestUser(kl);
    const pages = await signedIn(user);
    const refused = await pages.post('/account/access/attributes', {
      'attribute.pronouns': 'ok', 'attribute.start_date': '2023-02-30', 'attribute.desk': 'forty-two', 'attribute.skills': 'go',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Some details could not be saved.');
    expect(refused.text).toContain('<p class="kl-field-error" id="start_date-problem">A date like 2024-05-31 (year-month-day).</p>');
    expect(refused.text).toContain('<p class="kl-field-error" id="desk-problem">A number, like 42 or 3.5.</p>');
    expect(refused.text).toMatch(/name="attribute\.desk" value="forty-two" type="number" step="any" aria-invalid="true"/);
    expect(refused.text).not.toContain('id="pronouns-problem"');
    expect((await kl.keyline.accounts.findById(user.id))?.attributes).toBeUndefined();
  });

  test('the section is in the account navigation, in every language', async () => {
    const user = await createTestUser(kl);
    const pages = await signedIn(user);
    expect(pages.page.text).toContain('<a href="/account/access" aria-current="page">Groups and details</a>');
    const german = await pages.browser.get(`${kl.url}/account/access`, { 'accept-language': 'de' });
    expect(german.text).toContain('Gruppen und Angaben');
  });
});
