/**
 * The session an upstream sign-in becomes is bound to that sign-in by the interaction oidc-provider
 * actually resumed (its signed resume cookie), not by the uid in the resume URL: oidc-provider
 * never compares the two. Found in the attacker review of fed-logout: someone who signed in through
 * an upstream (with stolen credentials, say) and sent the resume cookie to `/auth/<anything-else>`
 * got a session no upstream logout could end: the binding looked for the sign-in under the made-up
 * uid, and the upstream's back-channel logout then found the sign-in never bound.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { sqliteBackend } from '../support/backends.ts';
import { hiddenField, type BrowserLikeClient, type Response } from '../support/browser-like-client.ts';
import { exchangeCode } from '../support/oidc-flow.ts';
import { eventually } from '../support/recording-receiver.ts';
import { downstreamLogoutTokens, postLogoutToken, sessionUids, useUpstreamLogout, BACKCHANNEL_LOGOUT_EVENT } from '../support/upstream-logout.ts';
import { stagedOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';

let op: UpstreamOp;
const subject = `stolen-${randomUUID()}`;
const setup = useUpstreamLogout(sqliteBackend, async ({ kl }) => {
  op = await stagedOidcUpstream(kl, 'real', { sub: subject, sid: `op-sid-${randomUUID()}`, claims: { email: `${subject}@example.com`, email_verified: true } });
});
afterAll(() => op?.close());

/** Like a browser, except that the resume cookie goes to /auth/<another uid>. */
async function resumeElsewhere(browser: BrowserLikeClient, origin: string, answer: Response): Promise<Response> {
  let current = answer;
  for (let hops = 0; hops < 10 && current.location?.startsWith(origin); hops += 1) {
    const resume = /^(.*\/auth\/)([^/?#]+)$/.exec(current.location);
    if (!resume) {
      current = await browser.get(current.location);
      continue;
    }
    const forged = `${resume[1]}${randomUUID()}`;
    const raw = await fetch(forged, { headers: { cookie: await browser.jar.getCookieString(current.location), accept: 'text/html' }, redirect: 'manual' });
    for (const cookie of raw.headers.getSetCookie()) await browser.jar.setCookie(cookie, forged, { ignoreError: true });
    const location = raw.headers.get('location');
    current = { status: raw.status, headers: raw.headers, text: await raw.text(), location: location ? new URL(location, forged).href : undefined, json: () => ({}) as never };
  }
  return current;
}

test('a session resumed under a made-up uid still ends when the upstream logs its session out', async () => {
  const { kl, client, rp } = setup();
  const { browser, verifier, started } = await pressUpstreamButton(kl, client, 'real');
  let final = await resumeElsewhere(browser, kl.url, await throughUpstream(browser, op.issuer, started));
  const consent = /<form method="post" action="([^"]+\/confirm)"/.exec(final.text);
  if (final.status === 200 && consent) {
    final = await resumeElsewhere(browser, kl.url, await browser.postForm(new URL(consent[1]!, kl.url).href, { csrf: hiddenField(final.text, 'csrf') ?? '' }));
  }
  const code = final.location?.startsWith(client.redirectUri) ? new URL(final.location).searchParams.get('code') : null;
  if (!code) throw new Error(`the forged resume did not reach the client: ${final.status} ${final.location ?? final.text.slice(0, 200)}`);
  const idToken = decodeJwt(String((await exchangeCode(kl, client, { code, verifier })).body.id_token));
  const accountId = String(idToken.sub);
  expect(await sessionUids(kl, accountId)).toHaveLength(1);

  const logout = await op.sign({
    iss: op.issuer, aud: 'keyline-real', iat: Math.floor(Date.now() / 1000), jti: randomUUID(), sid: op.idTokens.at(-1)!.sid,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  }, { typ: 'logout+jwt' });
  expect((await postLogoutToken(kl, 'real', logout)).status).toBe(200);
  expect(await sessionUids(kl, accountId)).toEqual([]);
  await eventually('the downstream logout token', () => downstreamLogoutTokens(rp).some((claims) => claims.sid === idToken.sid));
});
