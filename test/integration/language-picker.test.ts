import { sqliteBackend } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField, type Response } from '../support/browser-like-client.ts';
import { AccountPages } from '../support/account-pages.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { authorizeUrl, createTestUser, pkcePair, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
let client: TestClient;
let user: TestUser;
useKeyline(sqliteBackend, {}, async (ready) => {
  ({ kl, client } = ready);
  user = await createTestUser(kl);
});

const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
const dirOf = (html: string) => /<html lang="[^"]+" dir="([^"]+)"/.exec(html)?.[1];
const headingOf = (html: string) => /<h1>([^<]+)<\/h1>/.exec(html)?.[1];

async function openSignIn(browser: BrowserLikeClient, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  const first = await browser.get(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', ...params }), headers);
  return browser.followWithin(kl.url, first, headers);
}

/** Submits the page's language picker as a browser would: its own fields, the chosen locale. */
async function pick(browser: BrowserLikeClient, page: Response, locale: string, headers: Record<string, string> = {}): Promise<Response> {
  expect(page.text).toMatch(/<form class="kl-language" method="post" action="\/language">/);
  const back = hiddenField(page.text, 'return')!.replaceAll('&amp;', '&');
  // What a browser sends for Keyline's own form under Referrer-Policy: no-referrer.
  return browser.postForm(`${kl.url}/language`, { return: back, locale }, { origin: 'null', 'sec-fetch-site': 'same-origin', ...headers });
}

test('every shipped language is offered in its own name, with its lang, the current one selected', async () => {
  const page = await openSignIn(new BrowserLikeClient());
  const options = [...page.text.matchAll(/<option value="([^"]+)" lang="([^"]+)" dir="(ltr|rtl)"( selected)?>([^<]+)<\/option>/g)]
    .map((match) => ({ value: match[1], lang: match[2], dir: match[3], selected: Boolean(match[4]), name: match[5] }));
  expect(options.map(({ value, name }) => [value, name])).toEqual([
    ['ar', 'العربية'], ['de', 'Deutsch'], ['en', 'English'], ['es', 'Español'], ['fr', 'Français'], ['it', 'Italiano'], ['ja', '日本語'], ['pt-BR', 'Português (Brasil)'],
  ]);
  expect(options.every((option) => option.lang === option.value)).toBe(true);
  expect(options.find((option) => option.value === 'ar')!.dir).toBe('rtl');
  expect(options.filter((option) => option.selected).map((option) => option.value)).toEqual(['en']);
  expect(page.text).toContain('<label for="kl-language-select">Language</label>');
});

test('the picker keeps the sign-in in progress, and the choice survives to the next page', async () => {
  const browser = new BrowserLikeClient();
  const login = await openSignIn(browser);
  const interactionUrl = /<form method="post" action="(\/interaction\/[^/"]+)\/login"/.exec(login.text)![1]!;
  const picked = await pick(browser, login, 'de');
  expect(picked.status).toBe(303);
  expect(picked.location).toBe(`${kl.url}${interactionUrl}`);
  const cookie = picked.headers.getSetCookie().find((line) => line.startsWith('keyline.language='))!;
  expect(cookie).toMatch(/samesite=lax/i);
  expect(cookie).toMatch(/max-age=|expires=/i);

  const german = await browser.followWithin(kl.url, picked);
  expect(langOf(german.text)).toBe('de');
  expect(headingOf(german.text)).toBe('Anmelden');
  // Still the same sign-in: its form posts to the same interaction, and signing in goes on to consent.
  expect(german.text).toContain(`action="${interactionUrl}/login"`);
  const signedIn = await browser.postForm(`${kl.url}${interactionUrl}/login`, { email: user.email, password: user.password, csrf: hiddenField(german.text, 'csrf')! });
  expect(signedIn.status).toBe(303);
  const consent = await browser.followWithin(kl.url, signedIn);
  expect(langOf(consent.text)).toBe('de');
  expect(consent.text).toContain('>Erlauben</button>');

  // And the pages after this sign-in: a page with no interaction reads German too.
  expect(langOf((await browser.get(`${kl.url}/`)).text)).toBe('de');
});

test('a page drawn by a form post returns to the interaction, not to the post', async () => {
  const browser = new BrowserLikeClient();
  const login = await openSignIn(browser);
  const interactionUrl = /<form method="post" action="(\/interaction\/[^/"]+)\/login"/.exec(login.text)![1]!;
  const refused = await browser.postForm(`${kl.url}${interactionUrl}/login`, { email: user.email, password: 'not the password', csrf: hiddenField(login.text, 'csrf')! });
  expect(hiddenField(refused.text, 'return')).toBe(interactionUrl);
  const picked = await pick(browser, refused, 'ja');
  expect(picked.location).toBe(`${kl.url}${interactionUrl}`);
  const japanese = await browser.followWithin(kl.url, picked);
  expect(headingOf(japanese.text)).toBe('サインイン');
});

test('order: ui_locales, then the picker, then Accept-Language; a choice made on this sign-in beats its ui_locales', async () => {
  const browser = new BrowserLikeClient();
  const french = await openSignIn(browser, { ui_locales: 'fr' }, { 'accept-language': 'es' });
  expect(langOf(french.text)).toBe('fr');
  const picked = await browser.followWithin(kl.url, await pick(browser, french, 'it', { 'accept-language': 'es' }), { 'accept-language': 'es' });
  expect(langOf(picked.text)).toBe('it');
  expect(headingOf(picked.text)).toBe('Accedi');

  // A later sign-in: the app's ui_locales first, then the earlier choice, then the browser's language.
  expect(langOf((await openSignIn(browser, { ui_locales: 'fr' }, { 'accept-language': 'es' })).text)).toBe('fr');
  expect(langOf((await openSignIn(browser, {}, { 'accept-language': 'es' })).text)).toBe('it');
  expect(langOf((await openSignIn(new BrowserLikeClient(), {}, { 'accept-language': 'es' })).text)).toBe('es');
});

test('Portuguese of any region gets the Brazilian catalogue; Arabic pages are right-to-left', async () => {
  for (const tag of ['pt', 'pt-PT', 'pt-BR']) {
    const page = await openSignIn(new BrowserLikeClient(), {}, { 'accept-language': tag });
    expect([tag, langOf(page.text), headingOf(page.text)]).toEqual([tag, 'pt-BR', 'Entrar']);
  }
  const arabic = await openSignIn(new BrowserLikeClient(), { ui_locales: 'ar-EG' });
  expect([langOf(arabic.text), dirOf(arabic.text), headingOf(arabic.text)]).toEqual(['ar', 'rtl', 'تسجيل الدخول']);
});

test('the picker on a page without an interaction (an error page) returns there and remembers the language for any page', async () => {
  const browser = new BrowserLikeClient();
  const missing = await browser.get(`${kl.url}/no/such/page?x=1`);
  expect(missing.status).toBe(404);
  const picked = await pick(browser, missing, 'ar');
  expect(picked.location).toBe(`${kl.url}/no/such/page?x=1`);
  expect(picked.headers.getSetCookie().find((line) => line.startsWith('keyline.language='))).toMatch(/^keyline\.language=ar;/);
  const arabic = await browser.followWithin(kl.url, picked);
  expect([arabic.status, langOf(arabic.text), dirOf(arabic.text)]).toEqual([404, 'ar', 'rtl']);
});

test('a language Keyline does not ship is refused with a 400 page, and nothing is remembered', async () => {
  const browser = new BrowserLikeClient();
  const answer = await browser.postForm(`${kl.url}/language`, { locale: 'xx', return: '/' }, { origin: kl.url });
  expect(answer.status).toBe(400);
  expect(answer.headers.getSetCookie().filter((line) => line.startsWith('keyline.language='))).toEqual([]);
});

test('in a right-to-left page, an address or a name inside a sentence is isolated, so it reads as written', async () => {
  const browser = new BrowserLikeClient();
  const login = await openSignIn(browser, { ui_locales: 'ar' });
  const interactionUrl = /<form method="post" action="(\/interaction\/[^/"]+)\/login"/.exec(login.text)![1]!;
  const signedIn = await browser.postForm(`${kl.url}${interactionUrl}/login`, { email: user.email, password: user.password, csrf: hiddenField(login.text, 'csrf')! });
  const consent = await browser.followWithin(kl.url, signedIn);
  expect(consent.text).toContain(`أنت مسجّل الدخول باسم \u2068${user.email}\u2069.`);
  // Left-to-right pages are left as they were.
  const english = await openSignIn(new BrowserLikeClient(), { ui_locales: 'en' });
  expect(english.text).not.toMatch(/[\u2068\u2069]/);
});

test('the picker does not take over a page\'s own variables: the profile\'s language select keeps its choices', async () => {
  const pages = new AccountPages(kl);
  await pages.open('/account');
  const profile = await pages.signIn(user);
  expect(profile.text).toContain('<select id="kl-language-select"');
  const select = /<select[^>]*id="locale"[^>]*>(.*?)<\/select>/s.exec(profile.text)![1]!;
  expect([...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1])).toEqual(expect.arrayContaining(['ar', 'de', 'en', 'ja', 'pt-BR']));
  expect(hiddenField(profile.text, 'return')).toBe('/account');
});
