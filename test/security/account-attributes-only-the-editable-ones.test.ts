/**
 * The account page changes only the signed-in person's own attributes, and only those the operator
 * declared userEditable: a posted attribute that only an administrator sets, an undeclared one, a
 * form without the page's token or with another person's, and oversized values are all refused
 * (4xx, never 5xx) and leave every attribute as it was.
 */
import { AccountPages } from '../support/account-pages.ts';
import { ACCOUNT_PAGE_ATTRIBUTES } from '../support/attribute-declarations.ts';
import { allBackends } from '../support/backends.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const SET_BY_ADMIN = { department: 'Research', employee_id: 12, pronouns: 'she/her' };

describe.each(backends)('account attributes under attack on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { attributes: ACCOUNT_PAGE_ATTRIBUTES } }, (ready) => { ({ kl } = ready); });

  async function person(): Promise<{ user: TestUser; pages: AccountPages; csrf: string }> {
    const user = await createTestUser(kl);
    await kl.keyline.accounts.setAttributes(user.id, SET_BY_ADMIN);
    const pages = new AccountPages(kl);
    await pages.open('/account/access');
    await pages.signIn(user);
    return { user, pages, csrf: hiddenField(pages.page.text, 'csrf') ?? '' };
  }

  const attributesOf = async (user: TestUser) => (await kl.keyline.accounts.findById(user.id))?.attributes;
  const post = (pages: AccountPages, form: Record<string, string>) => pages.browser.postForm(`${kl.url}/account/access/attributes`, form);

  test('an attribute only an administrator sets is refused, with or without the editable ones beside it', async () => {
    const { user, pages, csrf } = await person();
    for (const form of [
      { csrf, 'attribute.department': 'Pwned' },
      { csrf, 'attribute.pronouns': 'they/them', 'attribute.employee_id': '1' },
    ] as Array<Record<string, string>>) {
      const answer = await post(pages, form);
      expect(answer.status).toBe(400);
    }
    expect(await attributesOf(user)).toEqual(SET_BY_ADMIN);
  });

  test('an undeclared attribute, or any field the form does not have, is refused', async () => {
    const { user, pages, csrf } = await person();
    for (const form of [
      { csrf, 'attribute.foo': 'bar' },
      { csrf, department: 'Pwned' },
      { csrf, 'attribute.pronouns': 'they/them', 'attribute.__proto__': 'x' },
      { csrf, 'attribute.pronouns': 'they/them', accountId: 'someone-else' },
    ] as Array<Record<string, string>>) {
      expect((await post(pages, form)).status).toBe(400);
    }
    expect(await attributesOf(user)).toEqual(SET_BY_ADMIN);
  });

  test('without the page\'s token, or with another person\'s, nothing changes; signed out, nothing either', async () => {
    const victim = await person();
    const attacker = await person();
    expect((await post(victim.pages, { 'attribute.pronouns': 'pwned' })).status).toBe(403);
    expect((await post(victim.pages, { csrf: attacker.csrf, 'attribute.pronouns': 'pwned' })).status).toBe(403);
    const signedOut = await new AccountPages(kl).browser.postForm(`${kl.url}/account/access/attributes`, { csrf: victim.csrf, 'attribute.pronouns': 'pwned' });
    expect([302, 303]).toContain(signedOut.status);
    // The attacker's own form, sent from their own session, changes only the attacker.
    expect((await post(attacker.pages, { csrf: attacker.csrf, 'attribute.pronouns': 'mine' })).status).toBe(303);
    expect(await attributesOf(victim.user)).toEqual(SET_BY_ADMIN);
    expect((await attributesOf(attacker.user))?.pronouns).toBe('mine');
  });

  test('oversized values are refused field by field and nothing is saved; an oversized form is refused whole', async () => {
    const { user, pages, csrf } = await person();
    const long = await post(pages, { csrf, 'attribute.pronouns': 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('id="pronouns-problem"');
    const manyItems = await post(pages, { csrf, 'attribute.skills': Array.from({ length: 51 }, (_, index) => `s${index}`).join(',') });
    expect(manyItems.status).toBe(400);
    expect(manyItems.text).toContain('id="skills-problem"');
    const control = await post(pages, { csrf, 'attribute.pronouns': 'a\u0000b' });
    expect(control.status).toBe(400);
    const hugeNumber = await post(pages, { csrf, 'attribute.desk': '1e999' });
    expect(hugeNumber.status).toBe(400);
    expect(hugeNumber.text).toContain('id="desk-problem"');
    const whole = await post(pages, { csrf, 'attribute.skills': 'y'.repeat(20_000) });
    expect(whole.status).toBe(413);
    expect(await attributesOf(user)).toEqual(SET_BY_ADMIN);
  });

  test('20 concurrent saves of different values leave one of them whole, and never a 5xx', async () => {
    const { user, pages, csrf } = await person();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => post(pages, {
      csrf, 'attribute.pronouns': `p${index}`, 'attribute.desk': String(index), 'attribute.skills': `s${index}`,
    })));
    expect(answers.map((answer) => answer.status).filter((status) => status !== 303)).toEqual([]);
    const after = await attributesOf(user);
    const index = Number(after?.desk);
    expect(after).toEqual({ ...SET_BY_ADMIN, pronouns: `p${index}`, desk: index, skills: [`s${index}`] });
  });
});
