import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * The profile's time zone and language are selects and its birthdate a date input, but a form is
 * whatever the sender types: the server checks the same lists the page offers (a zone Intl would
 * still accept but the list lacks, a language Keyline ships no catalogue for, a date that does not
 * exist or is to come). The picture is shown only from an https URL, and that origin is the only
 * one this page's CSP adds to img-src.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the profile\'s choices, as a hostile form sends them, on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  async function profilePages(): Promise<{ user: TestUser; pages: AccountPages }> {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    return { user, pages };
  }

  test.each([
    ['zoneinfo', 'Etc/GMT+5'],
    ['zoneinfo', 'Mars/Olympus_Mons'],
    ['locale', 'fr-CA'],
    ['locale', 'tlh'],
    ['birthdate', '2999-01-01'],
    ['birthdate', '1990-02-30'],
    ['phone_number', '0155 5555'],
  ])('%s "%s" is refused with the field marked, and nothing is saved', async (field, value) => {
    const { user, pages } = await profilePages();
    const refused = await pages.post('/account/profile', { name: 'Ada', [field]: value });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    const account = (await kl.keyline.accounts.findById(user.id))!;
    expect(account.profile).not.toHaveProperty(field);
    expect(account.name).not.toBe('Ada');
  });

  test('what the selects offer is saved', async () => {
    const { user, pages } = await profilePages();
    const saved = await pages.post('/account/profile', { zoneinfo: 'Asia/Tokyo', locale: 'de', birthdate: '1990-04-23', phone_number: '+14155550100' });
    expect(saved.status).toBe(200);
    expect((await kl.keyline.accounts.findById(user.id))!.profile).toMatchObject({ zoneinfo: 'Asia/Tokyo', locale: 'de', birthdate: '1990-04-23' });
    expect(saved.text).toContain('<option value="Asia/Tokyo" selected>Asia/Tokyo</option>');
    expect(saved.text).toContain('<option value="de" lang="de" selected>Deutsch</option>');
  });

  test('a value an administrator set outside the lists stays offered, and saving the form keeps it', async () => {
    const { user, pages } = await profilePages();
    await kl.keyline.accounts.updateProfile(user.email, { text: { zoneinfo: 'Etc/GMT+5', locale: 'fr-CA', birthdate: '1990' } });
    const page = await pages.open('/account');
    expect(page.text).toContain('<option value="Etc/GMT+5" selected>Etc/GMT+5</option>');
    expect(page.text).toMatch(/<option value="fr-CA" lang="fr-CA" selected>/);
    expect(page.text).toMatch(/id="birthdate" type="text"[^>]*value="1990"/);
    await pages.post('/account/profile', { name: 'Ada', zoneinfo: 'Etc/GMT+5', locale: 'fr-CA', birthdate: '1990' });
    expect((await kl.keyline.accounts.findById(user.id))!.profile).toMatchObject({ zoneinfo: 'Etc/GMT+5', locale: 'fr-CA', birthdate: '1990' });
  });

  test('the picture is shown only from https, its origin alone added to img-src', async () => {
    const { user, pages } = await profilePages();
    for (const picture of ['http://pics.example/ada.png', 'https://user:pass@pics.example/ada.png']) {
      await kl.keyline.accounts.updateProfile(user.email, { text: { picture } });
      const page = await pages.open('/account');
      expect({ picture, shown: page.text.includes('class="kl-picture"') }).toEqual({ picture, shown: false });
      expect(page.headers.get('content-security-policy')).not.toContain('pics.example');
    }
    await kl.keyline.accounts.updateProfile(user.email, { text: { picture: 'https://pics.example/ada.png' } });
    const page = await pages.open('/account');
    expect(page.text).toMatch(/<img class="kl-picture" src="https:\/\/pics.example\/ada.png"[^>]*referrerpolicy="no-referrer"/);
    const imgSrc = page.headers.get('content-security-policy')!.split('; ').find((directive) => directive.startsWith('img-src'));
    expect(imgSrc).toBe("img-src 'self' data: https://pics.example");
    // Another page of the account keeps the usual policy.
    expect((await pages.open('/account/password')).headers.get('content-security-policy')).not.toContain('pics.example');
  });
});
