import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton } from '../support/upstream-sign-in.ts';

/**
 * Phishing with an upstream's sign-in link: the attacker presses the upstream's button in their own
 * browser and, instead of following the redirect, sends its address (the upstream's real
 * authorization page, with the attacker's `state`) to the victim. The victim signs in at the
 * upstream (or is signed in there already, and nothing is even asked), which sends the victim's
 * browser to Keyline's callback with a code for the victim. Keyline used to keep that answer for the
 * attacker's interaction, show the victim "started elsewhere", and let the attacker's browser — the
 * one holding the interaction cookie — exchange the victim's code and sign in to the victim's
 * account. The callback now only accepts an answer in the browser that pressed the button (a
 * cookie set then, which the callback sees): in any other browser the step is spent and the code
 * is never exchanged.
 */
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
useKeylineWithOidcUpstream(sqliteBackend, { sub: 'victim', claims: { email: 'victim@acme.test', email_verified: true } }, (ready) => {
  ({ kl, client, op } = ready);
});

test('the attacker\'s sign-in link followed in the victim\'s browser signs in neither of them', async () => {
  const attacker = await pressUpstreamButton(kl, client, 'acme');
  expect(attacker.started.status).toBe(303);
  const victim = new BrowserLikeClient();
  const answer = await victim.followWithin(op.issuer, await victim.get(attacker.started.location!));
  expect(answer.location).toContain('/federation/acme/callback');

  const atCallback = await victim.get(answer.location!);
  expect(atCallback.status).toBeGreaterThanOrEqual(400);
  expect(atCallback.status).toBeLessThan(500);
  const exchanges = op.tokenRequests.length;

  const attackerReturns = await attacker.browser.get(`${kl.url}/interaction/${attacker.uid}/upstream/acme/return`);
  expect(attackerReturns.status).toBeGreaterThanOrEqual(400);
  expect(attackerReturns.status).toBeLessThan(500);
  expect(op.tokenRequests.length).toBe(exchanges);
  expect(await kl.store.federatedIdentities.find('acme', 'victim')).toBeUndefined();
});
