import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { authorizeUrl, pkcePair, type TestClient } from '../support/oidc-flow.ts';

let kl: RunningKeyline;
let client: TestClient;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl, client } = ready); });

async function loginPage(params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<string> {
  const browser = new BrowserLikeClient();
  const { challenge } = pkcePair();
  const first = await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', ...params }), headers);
  const page = await browser.followWithin(kl.url, first, headers);
  expect(page.status).toBe(200);
  return page.text;
}

const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
const headingOf = (html: string) => /<h1>([^<]+)<\/h1>/.exec(html)?.[1];

test('ui_locales=de gives a German login page with lang="de"', async () => {
  const html = await loginPage({ ui_locales: 'de' });
  expect(langOf(html)).toBe('de');
  expect(headingOf(html)).toBe('Anmelden');
  expect(html).toContain('E-Mail-Adresse');
});

test('Accept-Language: fr gives a French login page with lang="fr"', async () => {
  const html = await loginPage({}, { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' });
  expect(langOf(html)).toBe('fr');
  expect(headingOf(html)).toBe('Se connecter');
});

test('ui_locales wins over Accept-Language, in order, skipping what is not offered', async () => {
  const html = await loginPage({ ui_locales: 'zh es-MX de' }, { 'accept-language': 'fr' });
  expect(langOf(html)).toBe('es');
  expect(headingOf(html)).toBe('Iniciar sesión');
});

test('a browser asking only for languages Keyline lacks, or anything, gets the default', async () => {
  expect(langOf(await loginPage({}, { 'accept-language': 'zh, ko;q=0.8' }))).toBe('en');
  expect(langOf(await loginPage({}, { 'accept-language': '*' }))).toBe('en');
});

test('error pages follow Accept-Language too', async () => {
  const response = await fetch(`${kl.url}/nothing-here`, { headers: { accept: 'text/html', 'accept-language': 'de-CH' } });
  const html = await response.text();
  expect(response.status).toBe(404);
  expect(langOf(html)).toBe('de');
  expect(headingOf(html)).toBe('Seite nicht gefunden');
});

test('discovery lists the languages the pages speak', async () => {
  const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`)).json() as { ui_locales_supported: string[] };
  expect([...discovery.ui_locales_supported].sort()).toEqual(['ar', 'de', 'en', 'es', 'fr', 'it', 'ja', 'pt-BR']);
});

test('i18n.defaultLocale sets the language for browsers that state none', async () => {
  const german = await startKeyline({ config: { i18n: { defaultLocale: 'de' } } });
  try {
    const response = await fetch(`${german.url}/`, { headers: { accept: 'text/html' } });
    expect(langOf(await response.text())).toBe('de');
  } finally {
    await german.stop();
  }
});

test('a default locale without a catalogue stops start-up with one line naming the key', async () => {
  await expect(startKeyline({ config: { i18n: { defaultLocale: 'zh' } } }))
    .rejects.toThrow(/i18n\.defaultLocale \(KEYLINE_DEFAULT_LOCALE\): "zh" has no catalogue; available: ar, de, en, es, fr, it, ja, pt-BR/);
});
