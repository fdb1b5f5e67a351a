/**
 * The login page's upstream buttons (issue 22) over HTTP on a real Keyline: the upstreams the client
 * offers, in its order, with each brand's wording, one CSRF-bound form each; `--no-local-login`
 * leaves only them; a failed upstream start ends on Keyline's own error page with the way back, in
 * the person's language, and the reason only in the log.
 */
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { authorizeUrl, createTestUser, openLoginPage, pkcePair, registerTestClient, signIn, type TestClient } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addThreeUpstreams, addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
let everyUpstream: TestClient;

beforeAll(async () => {
  kl = await startKeyline();
  await addThreeUpstreams(kl);
  await addUpstream(kl, { id: 'retired', name: 'Retired IdP', enabled: false });
  everyUpstream = await registerTestClient(kl);
});
afterAll(() => kl?.stop());

const buttonsOf = (html: string) => [...html.matchAll(/<form method="post" action="([^"]+\/upstream\/[^"]+)">.*?<span class="kl-upstream-label">([^<]*)<\/span>/g)]
  .map((match) => ({ action: match[1]!, label: match[2]! }));

test('a client that names no upstreams offers every enabled one, each brand in its own words, above the password form', async () => {
  const { page } = await openLoginPage(kl, everyUpstream);
  const uid = /\/interaction\/([\w-]+)\/login/.exec(page.text)![1];
  expect(buttonsOf(page.text)).toEqual([
    { action: `/interaction/${uid}/upstream/acme`, label: 'Continue with Acme Corp SSO' },
    { action: `/interaction/${uid}/upstream/github`, label: 'Sign in with GitHub' },
    { action: `/interaction/${uid}/upstream/google`, label: 'Sign in with Google' },
  ]);
  expect(page.text).not.toContain('Retired IdP');
  expect(page.text.indexOf('kl-upstreams')).toBeLessThan(page.text.indexOf(`/interaction/${uid}/login`));
  // Every button's form carries the interaction's CSRF token, like the password form.
  const csrf = hiddenField(page.text, 'csrf');
  expect(page.text.match(/name="csrf" value="([^"]+)"/g)!.every((field) => field.endsWith(`"${csrf}"`))).toBe(true);
  // The marks are Keyline's own inline SVG: no request leaves for a brand's site.
  expect(page.text).not.toMatch(/<img[^>]+(google|github|gstatic)/i);
  expect(page.text).toContain('<svg aria-hidden="true" focusable="false"');
});

test('the buttons speak the page language, in each brand\'s published wording', async () => {
  const page = await fetchLoginPage(everyUpstream, { 'accept-language': 'de' });
  expect(buttonsOf(page).map((button) => button.label)).toEqual(['Weiter mit Acme Corp SSO', 'Mit GitHub anmelden', 'Über Google anmelden']);
});

test('--upstreams narrows the buttons to the client\'s list, in its order; --no-local-login leaves only them', async () => {
  const narrowed = await registerTestClient(kl, { upstreams: ['google', 'acme'] });
  expect(buttonsOf((await openLoginPage(kl, narrowed)).page.text).map((button) => button.label)).toEqual(['Sign in with Google', 'Continue with Acme Corp SSO']);

  const onlyAcme = await registerTestClient(kl, { upstreams: ['acme'], noLocalLogin: true });
  const opened = await fetchLoginPage(onlyAcme);
  expect(buttonsOf(opened)).toHaveLength(1);
  expect(opened).not.toContain('type="password"');
  expect(opened).not.toContain('data-passkey');
  expect(opened).not.toContain('/sign-up');
  expect(opened).not.toContain('/password/forgot');
  expect(opened).not.toContain('>or<');
  // Cancel stays: the person can always go back to the app.
  expect(opened).toMatch(/action="\/interaction\/[\w-]+\/abort"/);
});

test('a button whose upstream cannot start ends on Keyline\'s error page, in the page language, with the way back to this sign-in', async () => {
  const { browser, page } = await openLoginPage(kl, everyUpstream);
  const acme = buttonsOf(page.text).find((button) => button.label.includes('Acme'))!;
  const csrf = hiddenField(page.text, 'csrf')!;
  const uid = /\/interaction\/([\w-]+)\//.exec(acme.action)![1]!;
  const answer = await browser.postForm(new URL(acme.action, kl.url).href, { csrf }, { 'accept-language': 'fr' });
  // No connector on this branch yet (upstream_failed), or the oidc connector cannot reach 127.0.0.1:9 (upstream_unreachable).
  expect(answer.status).toBe(502);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  expect(answer.text).toMatch(/Error code: upstream_(failed|unreachable)|Code d.erreur : upstream_(failed|unreachable)/);
  expect(answer.text).toContain(`href="/interaction/${uid}"`);
  expect(answer.text).toContain('Retour à la connexion');
  expect(answer.text).toContain(`action="/interaction/${uid}/abort"`);
  expect(answer.text).toContain(`value="${csrf}"`);
  const logged = kl.logs.filter((line) => line.includes('federation.upstream_failed')).at(-1)!;
  expect(JSON.parse(logged)).toMatchObject({ upstream: 'acme', level: expect.anything() });
  expect(answer.text).not.toContain(JSON.parse(logged).reason);

  // The way back works: the same login page, its buttons, in this browser.
  const back = await browser.get(`${kl.url}/interaction/${uid}`);
  expect(back.status).toBe(200);
  expect(buttonsOf(back.text)).toHaveLength(3);
});

async function fetchLoginPage(client: TestClient, headers: Record<string, string> = {}): Promise<string> {
  const browser = new BrowserLikeClient();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), headers), headers);
  expect(page.status).toBe(200);
  return page.text;
}

test('"Confirm it\'s you" for a client without local login asks to sign in again through an upstream, not for a password', async () => {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyUpstream, user);
  const upstreamOnly = await registerTestClient(kl, { upstreams: ['acme'], noLocalLogin: true });
  const again = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, upstreamOnly, {
    prompt: 'login', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
  })));
  expect(again.status).toBe(200);
  expect(again.text).toContain('<h1>Confirm it');
  expect(again.text).toContain('For your security, sign in again to continue to Test App.');
  expect(again.text).not.toContain('password');
  expect(buttonsOf(again.text).map((button) => button.label)).toEqual(['Continue with Acme Corp SSO']);
});
