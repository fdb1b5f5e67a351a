import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const PARALLEL = 20;

/**
 * An upstream's answer is a one-time thing: 20 copies of one callback at once (a replaying proxy, a
 * double-submitting browser, an attacker racing the victim) continue at most one sign-in, and so do
 * 20 concurrent returns to the interaction; on both backends, since "once" is the store's promise.
 */
describe.each(backends)('an upstream answer continues one sign-in at most, on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let op: UpstreamOp;
  useKeylineWithOidcUpstream(backend, { sub: 'racer', claims: { email: 'racer@acme.test', email_verified: true } }, (ready) => {
    ({ kl, client, op } = ready);
  });

  test(`${PARALLEL} concurrent callbacks with one state: one goes on, the others find no sign-in in progress`, async () => {
    const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
    const answer = await throughUpstream(browser, op.issuer, started);
    const callbacks = await Promise.all(Array.from({ length: PARALLEL }, () => browser.get(answer.location!)));
    const statuses = callbacks.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 303).every((status) => status === 400)).toBe(true);
  });

  test(`${PARALLEL} concurrent returns to one interaction: one code exchange, one sign-in`, async () => {
    const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
    const answer = await throughUpstream(browser, op.issuer, started);
    const callback = await browser.get(answer.location!);
    expect(callback.status).toBe(303);
    const exchangesBefore = op.tokenRequests.length;
    const returns = await Promise.all(Array.from({ length: PARALLEL }, () => browser.get(callback.location!)));
    const continued = returns.filter((response) => response.status !== 400);
    expect(continued).toHaveLength(1);
    expect(continued[0]!.status).toBe(303);
    expect(op.tokenRequests.length - exchangesBefore).toBe(1);
    expect(returns.every((response) => response.status < 500)).toBe(true);
  });
});
