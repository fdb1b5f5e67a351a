import { AccountPages } from './account-pages.ts';
import { hiddenField, type Response } from './browser-like-client.ts';
import { createTestUser, type TestUser } from './oidc-flow.ts';
import { secretOnPage, TestAuthenticator, type SecondFactorFlow } from './second-factor-flow.ts';
import { SoftwarePasskey } from './software-passkey.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** A user who added an authenticator app on the account security page (not during a sign-in), still on that page. */
export async function userWithAuthenticatorApp(kl: RunningKeyline): Promise<{ user: TestUser; pages: AccountPages; app: TestAuthenticator }> {
  const user = await createTestUser(kl);
  const pages = new AccountPages(kl);
  await pages.open();
  await pages.signIn(user);
  await pages.post('/account/security/totp');
  const app = new TestAuthenticator(secretOnPage(pages.page.text));
  const added = await pages.post('/account/security/totp/confirm', { enrolment: hiddenField(pages.page.text, 'enrolment')!, code: await app.nextCode(), name: 'Phone' });
  if (!added.text.includes('Your authenticator app was added.')) throw new Error(`the app was not added: ${added.status} ${added.text.slice(0, 300)}`);
  return { user, pages, app };
}

/** What the passkey script posts, as JSON with the interaction's CSRF token, to one of the interaction's passkey routes. */
export function postPasskeyJson(flow: SecondFactorFlow, path: 'passkey/options' | 'passkey', body: Record<string, unknown>, uid = flow.uid): Promise<Response> {
  const csrf = hiddenField(flow.page.text, 'csrf') ?? '';
  return flow.browser.request(`${flow.kl.url}/interaction/${uid}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ csrf, ...body }),
  });
}

/** Asks for registration options and answers them with this software passkey: the final answer. */
export async function registerPasskey(flow: SecondFactorFlow, passkey: SoftwarePasskey): Promise<{ options: Response; registered?: Response }> {
  const options = await postPasskeyJson(flow, 'passkey/options', { purpose: 'register' });
  if (options.status !== 200) return { options };
  const { challengeId, options: creation } = options.json<{ challengeId: string; options: { challenge: string } }>();
  const registered = await postPasskeyJson(flow, 'passkey', { purpose: 'register', challengeId, response: passkey.create(creation), name: 'Attacker' });
  return { options, registered };
}

export async function factorsOf(kl: RunningKeyline, accountId: string): Promise<Array<{ type: string; name: string }>> {
  return (await kl.store.factors.listByAccount(accountId)).map(({ type, name }) => ({ type, name }));
}
