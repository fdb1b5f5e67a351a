import { Writable } from 'node:stream';
import { OAuth2Connector } from '../../src/federation/connectors/oauth2.ts';
import { PRESETS } from '../../src/federation/presets.ts';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { openSecretCipher } from '../../src/keys/open-secret-cipher.ts';
import { createLogger } from '../../src/logger.ts';
import { outboundFetch } from '../../src/outbound/outbound-fetch.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-stand-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { exchangeCode, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { addRedirectUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Sign in with GitHub: an OAuth 2.0 upstream without OpenID Connect, made from the github preset,
 * against a stand-in for GitHub's endpoints. The subject is GitHub's numeric user id; the email is
 * the primary address from /user/emails and is verified only when GitHub says so there.
 */
let kl: RunningKeyline;
let client: TestClient;
let github: GitHubStandIn;

const OCTOCAT = { id: 583231, login: 'octocat', name: 'The Octocat', email: 'public@octo.test', emails: [
  { email: 'public@octo.test', primary: false, verified: false },
  { email: 'octocat@octo.test', primary: true, verified: true },
] };
const UNVERIFIED = { id: 99, login: 'newbie', email: null, emails: [{ email: 'newbie@octo.test', primary: true, verified: false }] };

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  github = await startGitHubStandIn({ clientId: 'Iv1.keyline', clientSecret: 'gh-secret', users: [OCTOCAT, UNVERIFIED] });
  await addRedirectUpstream(kl, {
    id: 'github', type: 'oauth2', preset: 'github', mapping: { claims: PRESETS.github.mapping, groups: [] },
    settings: { ...PRESETS.github.settings, ...github.settings, claims: PRESETS.github.claims, clientId: 'Iv1.keyline' },
  }, { clientSecret: 'gh-secret' });
});
afterAll(() => github?.close());

test('octocat signs in with GitHub: the account has the verified primary address, linked by the user id', async () => {
  github.signInAs('octocat');
  const { code, verifier } = await signInThroughUpstream(kl, client, 'github', github.origin);
  expect(code).not.toBeNull();
  expect((await exchangeCode(kl, client, { code: code!, verifier })).status).toBe(200);
  const link = await kl.store.federatedIdentities.find('github', '583231');
  expect(link).toBeDefined();
  const account = await kl.store.accounts.findById(link!.accountId);
  expect(account).toMatchObject({ email: 'octocat@octo.test', emailVerified: true });
  expect(github.tokenRequests.at(-1)).toMatchObject({ grant_type: 'authorization_code', redirect_uri: upstreamCallbackUrl(kl.url, 'github') });
  expect(github.tokenRequests.at(-1)!.code_verifier).toBeDefined();
});

test('an unverified primary address comes back with emailVerified false', async () => {
  const upstream = (await kl.store.upstreams.find('github'))!;
  const connector = new OAuth2Connector({
    fetch: outboundFetch({ allowPrivateNetworks: true }),
    sealer: openSecretCipher(kl.config, createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }))),
  });
  const callbackUrl = upstreamCallbackUrl(kl.url, 'github');
  const started = await connector.start({ upstream, callbackUrl, interactionUid: 'test' });
  if (started.kind !== 'redirect') throw new Error('expected a redirect');
  github.signInAs('newbie');
  const answer = await new BrowserLikeClient().get(started.location);
  const parameters = Object.fromEntries(new URL(answer.location!).searchParams);
  const identity = await connector.finish(upstream, { kind: 'redirect', parameters, pending: started.pending });
  expect(identity).toMatchObject({ subject: '99', email: 'newbie@octo.test', emailVerified: false });
  expect(connector.map(upstream, identity).profile).toMatchObject({ preferred_username: 'newbie' });
});
