import { sqliteBackend } from '../support/backends.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { useKeylineWithOidcUpstream } from '../support/upstream-on-keyline.ts';
import { pressUpstreamButton, signInThroughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Whatever an upstream says when it fails (error_description, error_uri, an HTML body from its
 * token endpoint) is the upstream's text, possibly an attacker's: it may go to the log as a reason
 * Keyline wrote, never onto Keyline's page, escaped or not.
 */
const HOSTILE = '<script>alert("pwned")</script><a href="https://evil.example/phish">Call support</a>';

let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
useKeylineWithOidcUpstream(sqliteBackend, { sub: 'alice', claims: { email: 'alice@acme.test', email_verified: true } }, (ready) => {
  ({ kl, client, op } = ready);
});
afterEach(() => {
  op.behave();
  op.signInAs('alice');
});

function expectNoEcho(text: string): void {
  for (const fragment of ['pwned', 'evil.example', 'Call support', 'the stand-in upstream was told to fail', '&lt;script']) expect(text).not.toContain(fragment);
}

test('access_denied with a hostile error_description: a 403 page that says only that the provider refused', async () => {
  op.denyNext(HOSTILE);
  const { final } = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(final.status).toBe(403);
  expectNoEcho(final.text);
});

test('a hand-made callback with a hostile error, error_description and error_uri', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
  const state = new URL(started.location!).searchParams.get('state')!;
  const query = new URLSearchParams({ state, error: `server_error${HOSTILE}`, error_description: HOSTILE, error_uri: 'https://evil.example/phish', iss: op.issuer });
  const handedOver = await browser.get(`${kl.url}/federation/acme/callback?${query}`);
  const landed = await browser.get(handedOver.location!);
  expect(landed.status).toBe(502);
  expectNoEcho(landed.text);
  expectNoEcho(kl.logs.join('\n'));
});

test('a token endpoint that fails with its own body: a 502 page without it', async () => {
  op.misbehave({ tokenStatus: 503 });
  const { final } = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(final.status).toBe(502);
  expectNoEcho(final.text);
});
