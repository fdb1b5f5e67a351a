import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Login CSRF through an upstream: an attacker signs in at the upstream as themselves and sends the
 * victim the callback link. The callback checks the browser binding cookie set when the button was
 * pressed (the interaction cookie is path-scoped and never reaches it): the victim lands on "start
 * again" and is not signed in as the attacker. The step is spent by that visit (an answer that
 * arrived in the wrong browser is never kept: see upstream-sign-in-link-sent-to-a-victim-signs-no-one-in),
 * so the attacker's own browser cannot continue it either.
 */
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
useKeylineWithOidcUpstream(sqliteBackend, { sub: 'mallory', claims: { email: 'mallory@acme.test', email_verified: true } }, (ready) => {
  ({ kl, client, op } = ready);
});

test('the callback opened in another browser ends at a 4xx page, and nobody continues that step', async () => {
  const attacker = await pressUpstreamButton(kl, client, 'acme');
  const answer = await throughUpstream(attacker.browser, op.issuer, attacker.started);
  const victim = new BrowserLikeClient();
  const landed = await victim.get(answer.location!);
  expect(landed.status).toBeGreaterThanOrEqual(400);
  expect(landed.status).toBeLessThan(500);
  expect(landed.location).toBeUndefined();
  expect(await victim.jar.getCookieString(kl.url)).not.toMatch(/_session=/);
  expect(op.tokenRequests.length).toBe(0);
  const own = await attacker.browser.get(answer.location!);
  expect(own.status).toBe(400);
  const returned = await attacker.browser.get(`${kl.url}/interaction/${attacker.uid}/upstream/acme/return`);
  expect(returned.status).toBe(400);
  expect(op.tokenRequests.length).toBe(0);
});

test('a return route for an interaction with no answer, or for another upstream, is a 4xx', async () => {
  const started = await pressUpstreamButton(kl, client, 'acme');
  const early = await started.browser.get(`${kl.url}/interaction/${started.uid}/upstream/acme/return`);
  expect(early.status).toBe(400);
  const answer = await throughUpstream(started.browser, op.issuer, started.started);
  const handedOver = await started.browser.get(answer.location!);
  const wrongUpstream = await started.browser.get(handedOver.location!.replace('/upstream/acme/', '/upstream/other/'));
  expect(wrongUpstream.status).toBe(400);
});
