import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient, type TestUser } from '../support/oidc-flow.ts';

const theme = temporaryDirectory('keyline-theme-');
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0f766e"/></svg>';
writeFileSync(join(theme.path, 'acme-logo.svg'), LOGO);
writeFileSync(join(theme.path, 'acme.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
writeFileSync(join(theme.path, 'acme.css'), '.kl-card { border-top: 4px solid #0f766e; }');
mkdirSync(join(theme.path, 'views', 'partials'), { recursive: true });
writeFileSync(join(theme.path, 'views', 'partials', 'footer.pug'), 'footer.kl-footer\n  p Acme Corporation · #{t(\'layout.support\')}\n');

let kl: RunningKeyline;
let client: TestClient;
let user: TestUser;
beforeAll(async () => {
  kl = await startKeyline({
    config: {
      branding: {
        productName: 'Acme ID',
        logo: join(theme.path, 'acme-logo.svg'),
        favicon: join(theme.path, 'acme.png'),
        primaryColor: '#0f766e',
        backgroundColor: '#f0fdfa',
        stylesheet: join(theme.path, 'acme.css'),
        links: { privacy: 'https://acme.example/privacy', support: 'mailto:help@acme.example' },
      },
      views: join(theme.path, 'views'),
    },
  });
  client = await registerTestClient(kl, {
    name: 'Acme Notes',
    logoUri: 'https://cdn.acme-notes.example/logo.png',
    clientUri: 'https://acme-notes.example/',
    policyUri: 'https://acme-notes.example/privacy',
    tosUri: 'https://acme-notes.example/terms',
  });
  user = await createTestUser(kl);
});
afterAll(async () => {
  await kl.stop();
  theme.remove();
});

async function loginPage(browser = new BrowserLikeClient()) {
  const { challenge } = pkcePair();
  return browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
}

/** The text a person reads: tags, attributes and the stylesheet left out. */
function visibleText(html: string): string {
  return html.replace(/<style[^>]*>[^<]*<\/style>/g, '').replace(/<[^>]+>/g, ' ');
}

test('the product name, logo, colours, favicon, stylesheet and links from the config are on the pages', async () => {
  const page = await loginPage();
  expect(page.text).toContain('<title>Sign in · Acme ID</title>');
  expect(page.text).toMatch(/<img class="kl-logo" src="\/assets\/brand\/logo\.svg\?v=[\w-]+" alt="Acme ID">/);
  expect(page.text).toContain('--kl-primary:#0f766e');
  expect(page.text).toContain('--kl-background:#f0fdfa');
  expect(page.text).toMatch(/<link rel="icon" href="\/assets\/brand\/favicon\.png\?v=[\w-]+">/);
  expect(page.text).toMatch(/<link rel="stylesheet" href="\/assets\/brand\/custom\.css\?v=[\w-]+" nonce="\w+">/);
  expect(visibleText(page.text)).not.toContain('Keyline');

  const logoPath = /src="(\/assets\/brand\/logo\.svg\?v=[\w-]+)"/.exec(page.text)![1]!;
  const logo = await fetch(`${kl.url}${logoPath}`);
  expect(logo.headers.get('content-type')).toBe('image/svg+xml');
  expect(logo.headers.get('cache-control')).toContain('immutable');
  expect(await logo.text()).toBe(LOGO);
  const css = await fetch(`${kl.url}${/href="(\/assets\/brand\/custom\.css\?v=[\w-]+)"/.exec(page.text)![1]}`);
  expect(await css.text()).toContain('#0f766e');
});

test('a theme folder replaces one template (here the footer) and keeps every other', async () => {
  const login = await loginPage();
  expect(login.text).toContain('Acme Corporation · Help');
  expect(login.text).toContain('name="password"');
  const missing = await fetch(`${kl.url}/no-such-page`, { headers: { accept: 'text/html' } });
  const html = await missing.text();
  expect(html).toContain('Acme Corporation · Help');
  expect(html).toContain('Page not found');
});

test('a readable button text is chosen for the brand colour', async () => {
  const light = await startKeyline({ config: { branding: { primaryColor: '#ffd84d' } } });
  try {
    const html = await (await fetch(`${light.url}/`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('--kl-on-primary:#111827');
    // Yellow is unreadable as link text on white, so links keep the text colour.
    expect(html).toContain('--kl-link:#111827');
  } finally {
    await light.stop();
  }
});

test('consent shows the client\'s name, logo, website, privacy policy and terms, and the CSP allows that logo', async () => {
  const browser = new BrowserLikeClient();
  const login = await loginPage(browser);
  const consent = await browser.followWithin(kl.url, await browser.postForm(`${kl.url}${/action="([^"]+\/login)"/.exec(login.text)![1]}`, {
    email: user.email, password: user.password, csrf: hiddenField(login.text, 'csrf')!,
  }));
  expect(consent.status).toBe(200);
  expect(consent.text).toContain('<h1>Acme Notes wants to use your Acme ID account</h1>');
  expect(consent.text).toContain('src="https://cdn.acme-notes.example/logo.png"');
  expect(consent.text).toContain('href="https://acme-notes.example/"');
  expect(consent.text).toContain('href="https://acme-notes.example/privacy"');
  expect(consent.text).toContain('href="https://acme-notes.example/terms"');
  expect(consent.text).toContain('Know who you are on Acme ID');
  expect(consent.headers.get('content-security-policy')).toMatch(/img-src 'self' data: https:\/\/cdn\.acme-notes\.example;/);
});

test('a logo given as an https URL is allowed by the CSP, and nothing else is', async () => {
  const remote = await startKeyline({ config: { branding: { logo: 'https://static.acme.example/logo.svg' } } });
  try {
    const response = await fetch(`${remote.url}/`, { headers: { accept: 'text/html' } });
    expect(await response.text()).toContain('src="https://static.acme.example/logo.svg"');
    expect(response.headers.get('content-security-policy')).toMatch(/img-src 'self' data: https:\/\/static\.acme\.example;/);
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  } finally {
    await remote.stop();
  }
});

test('a branding file or theme folder that is not there stops start-up with one line naming the key', async () => {
  await expect(startKeyline({ config: { branding: { logo: '/nonexistent/logo.svg' } } }))
    .rejects.toThrow(/branding\.logo: no file at \/nonexistent\/logo\.svg/);
  await expect(startKeyline({ config: { views: '/nonexistent/theme' } }))
    .rejects.toThrow(/views \(KEYLINE_VIEWS\): no folder at \/nonexistent\/theme/);
});
