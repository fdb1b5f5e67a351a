import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { authorizeUrl, pkcePair, registerTestClient } from '../support/oidc-flow.ts';
import { runMain } from '../support/run-main.ts';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

const headingOf = (html: string) => /<h1>([^<]+)<\/h1>/.exec(html)?.[1];

async function loginHeading(kl: RunningKeyline, locale: string): Promise<string | undefined> {
  const client = await registerTestClient(kl);
  const browser = new BrowserLikeClient();
  const first = await browser.get(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', ui_locales: locale }));
  return headingOf((await browser.followWithin(kl.url, first)).text);
}

test('overrides from the config and from the overrides folder show on the pages; {{product}} still works; the rest is as shipped', async () => {
  const folder = temporaryDirectory('keyline-overrides-');
  writeFileSync(join(folder.path, 'ja.json'), JSON.stringify({ login: { title: 'おかえりなさい' } }));
  writeFileSync(join(folder.path, 'de.json'), JSON.stringify({ 'login.title': 'Aus dem Ordner', 'errors.not_found.title': 'Hier ist nichts' }));
  const kl = await startKeyline({
    config: {
      branding: { productName: 'Acme ID' },
      i18n: { overridesDirectory: folder.path },
      messages: {
        en: { 'login.title': 'Welcome back', 'errors.not_found.title': 'Nothing at {{product}} here' },
        de: { 'login.title': 'Willkommen zurück bei {{product}}' },
      },
    },
  });
  try {
    expect(await loginHeading(kl, 'en')).toBe('Welcome back');
    // The config's `messages` win over the folder's file for the same key.
    expect(await loginHeading(kl, 'de')).toBe('Willkommen zurück bei Acme ID');
    expect(await loginHeading(kl, 'ja')).toBe('おかえりなさい');
    expect(await loginHeading(kl, 'fr')).toBe('Se connecter');
    const notFound = async (language: string) => headingOf(await (await fetch(`${kl.url}/nowhere`, { headers: { accept: 'text/html', 'accept-language': language } })).text());
    expect(await notFound('en')).toBe('Nothing at Acme ID here');
    expect(await notFound('de')).toBe('Hier ist nichts');
  } finally {
    await kl.stop();
    folder.remove();
  }
});

test.each([
  [{ messages: { en: { 'login.titel': 'Welcome back' } } }, /messages\.en: "login\.titel" is not a message key/],
  [{ messages: { xx: { 'login.title': 'Hi' } } }, /messages\.xx: no catalogue for the locale "xx"; shipped: ar, de, en, es, fr, it, ja, pt-BR/],
  [{ messages: { fr: { 'login.subtitle': 'pour continuer' } } }, /messages\.fr: "login\.subtitle" drops \{\{client\}\}/],
  [{ messages: { en: { 'login.title': 'Hello {{name}}' } } }, /messages\.en: "login\.title" uses \{\{name\}\}, which this message never gets/],
  [{ messages: { en: { 'recoveryLeft.left': 'Codes left' } } }, /"recoveryLeft\.left" is not a message key \(a plural: override recoveryLeft\.left_one, recoveryLeft\.left_other, …\)/],
])('an override that cannot apply stops the start naming it: %j', async (config, problem) => {
  await expect(startKeyline({ config })).rejects.toThrow(problem);
});

test('an unknown key in the overrides folder stops the start naming the file and the key', async () => {
  const folder = temporaryDirectory('keyline-overrides-');
  writeFileSync(join(folder.path, 'pt-BR.json'), JSON.stringify({ login: { titulo: 'Bem-vindo' } }));
  try {
    await expect(startKeyline({ config: { i18n: { overridesDirectory: folder.path } } }))
      .rejects.toThrow(new RegExp(`i18n\\.overridesDirectory \\(${folder.path}/pt-BR\\.json\\): "login\\.titulo" is not a message key`));
  } finally {
    folder.remove();
  }
});

test('the real process refuses to start with an unknown override key in its config file, and says which', async () => {
  const directory = temporaryDirectory();
  try {
    mkdirSync(join(directory.path, 'config'));
    const configFile = join(directory.path, 'config', 'keyline.yaml');
    writeFileSync(configFile, 'messages:\n  en:\n    login.title: Welcome back\n    login.welcome: Hello again\n');
    const result = await runMain({ KEYLINE_STORE: join(directory.path, 'keyline.sqlite'), KEYLINE_CONFIG: configFile }, async () => {
      throw new Error('Keyline started despite an unknown message key');
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('keyline: invalid configuration:');
    expect(result.stderr).toContain('messages.en: "login.welcome" is not a message key');
    expect(result.stderr).not.toContain('login.title');
    expect(result.stdout).not.toContain('Keyline is listening');
  } finally {
    directory.remove();
  }
});
