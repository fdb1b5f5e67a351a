import { sqliteBackend } from '../support/backends.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';

/**
 * An administrator disables an upstream (compromised, or leaving) while sign-ins through it are on
 * their way back: an answer that arrives after that, at the callback or at the return route, signs
 * no one in and is a clear 404, never a 500.
 */
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
useKeylineWithOidcUpstream(sqliteBackend, { sub: 'alice', claims: { email: 'alice@acme.test', email_verified: true } }, (ready) => {
  ({ kl, client, op } = ready);
});

/** Until every node's directory has seen the change (the revision cache looks again within a quarter second). */
async function untilCallbackAnswers(status: number): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    if ((await fetch(`${kl.url}/federation/acme/callback?state=probe`)).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the callback never answered ${status}`);
}

async function setEnabled(enabled: boolean): Promise<void> {
  await kl.store.upstreams.update('acme', { enabled });
  await untilCallbackAnswers(enabled ? 400 : 404);
}

test('an answer arriving at the callback after the upstream was disabled: 404, and nothing exchanged', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
  const answer = await throughUpstream(browser, op.issuer, started);
  await setEnabled(false);
  const response = await browser.get(answer.location!);
  expect(response.status).toBe(404);
  expect(op.tokenRequests).toHaveLength(0);
  await setEnabled(true);
});

test('an upstream disabled between the callback and the return: 404 at the return, and nothing exchanged', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
  const answer = await throughUpstream(browser, op.issuer, started);
  const handedOver = await browser.get(answer.location!);
  expect(handedOver.status).toBe(303);
  await setEnabled(false);
  const landed = await browser.get(handedOver.location!);
  expect(landed.status).toBe(404);
  expect(op.tokenRequests).toHaveLength(0);
  await setEnabled(true);
});
