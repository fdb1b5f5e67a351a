/**
 * `--upstreams acme --no-local-login` makes Acme's identity provider the only way into a client. A
 * session an upstream signed in (amr `fed`) passes single sign-on into such a client, but not any
 * upstream's: a stranger who signed in with a public upstream (Google, provisioning accounts for
 * anyone) at another client must not walk into the client that only Acme's people may reach. The
 * account must be linked to one of the upstreams the client offers, or the person signs in again
 * on its page, which offers only those.
 *
 * Sessions are made as an upstream sign-in leaves them, without a connector (none is on this
 * branch): a real sign-in at another client, its stored session then saying amr `fed`, and the
 * account's link to the upstream it came through in the store.
 */
import { hiddenField, type BrowserLikeClient, type Response } from '../support/browser-like-client.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, signIn, type TestClient } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
let everyday: TestClient;
let acmeOnly: TestClient;

beforeAll(async () => {
  kl = await startKeyline();
  await addUpstream(kl, { id: 'acme', name: 'Acme Corp SSO' });
  await addUpstream(kl, { id: 'google', name: 'Google', preset: 'google' });
  everyday = await registerTestClient(kl);
  acmeOnly = await registerTestClient(kl, { upstreams: ['acme'], noLocalLogin: true });
});
afterAll(() => kl?.stop());

/** A browser whose session an upstream signed in (amr fed), for an account linked to `upstreamId`. */
async function signedInThrough(upstreamId: string): Promise<BrowserLikeClient> {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyday, user);
  await kl.store.federatedIdentities.link({ upstreamId, subject: `sub-${user.id}`, accountId: user.id, linkedAt: new Date(), lastSignInAt: null });
  const sessions = await kl.store.oidc.listByAccount('Session', user.id);
  expect(sessions).toHaveLength(1);
  const { id, payload } = sessions[0]!;
  await kl.store.oidc.upsert('Session', id, { ...payload, amr: ['fed'] }, 3600);
  return browser;
}

async function openAcmeOnly(browser: BrowserLikeClient, params: Record<string, string> = {}): Promise<Response> {
  const { challenge } = pkcePair();
  let answer = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, acmeOnly, { code_challenge: challenge, code_challenge_method: 'S256', ...params })));
  for (let step = 0; step < 2 && answer.status === 200 && /action="[^"]+\/confirm"/.test(answer.text); step += 1) {
    const confirm = /action="([^"]+\/confirm)"/.exec(answer.text)![1]!;
    answer = await browser.followWithin(kl.url, await browser.postForm(new URL(confirm, kl.url).href, { csrf: hiddenField(answer.text, 'csrf')! }));
  }
  return answer;
}

test('a session from an upstream the client does not offer does not carry the person in: its login page asks for Acme', async () => {
  const answer = await openAcmeOnly(await signedInThrough('google'));
  expect(answer.location ?? '').not.toContain('code=');
  expect(answer.status).toBe(200);
  expect(answer.text).toContain('/upstream/acme');
  expect(answer.text).not.toContain('/upstream/google');
});

test('prompt=none with that session is login_required', async () => {
  const answer = await openAcmeOnly(await signedInThrough('google'), { prompt: 'none' });
  const callback = new URL(answer.location!);
  expect(callback.searchParams.get('code')).toBeNull();
  expect(callback.searchParams.get('error')).toBe('login_required');
});

test('a session of a person linked to the client\'s own upstream still signs in without a new login (single sign-on)', async () => {
  const answer = await openAcmeOnly(await signedInThrough('acme'));
  expect(answer.location).toContain('code=');
});
