import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Login CSRF through an upstream: an attacker signs in at the upstream as themselves and sends the
 * victim the callback link. The callback carries no cookie of Keyline's (the interaction cookie is
 * path-scoped), so it only hands over to the interaction's return route, which needs the cookie of
 * the browser that pressed the button: the victim lands on "start again", is not signed in as the
 * attacker, and the attacker's own sign-in is not spent by the victim's visit.
 */
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
useKeylineWithOidcUpstream(sqliteBackend, { sub: 'mallory', claims: { email: 'mallory@acme.test', email_verified: true } }, (ready) => {
  ({ kl, client, op } = ready);
});

test('the callback opened in another browser ends at a 4xx page, and the starting browser still continues', async () => {
  const attacker = await pressUpstreamButton(kl, client, 'acme');
  const answer = await throughUpstream(attacker.browser, op.issuer, attacker.started);
  const victim = new BrowserLikeClient();
  const handedOver = await victim.get(answer.location!);
  expect(handedOver.status).toBe(303);
  const landed = await victim.get(handedOver.location!);
  expect(landed.status).toBeGreaterThanOrEqual(400);
  expect(landed.status).toBeLessThan(500);
  expect(landed.location).toBeUndefined();
  expect(await victim.jar.getCookieString(kl.url)).not.toMatch(/_session=/);
  const exchanges = op.tokenRequests.length;
  expect(exchanges).toBe(0);
  // The victim's visit spent nothing: the attacker's browser (the one that started it) still continues.
  const own = await attacker.browser.get(handedOver.location!);
  expect(own.status).toBe(303);
  expect(op.tokenRequests.length).toBe(1);
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
