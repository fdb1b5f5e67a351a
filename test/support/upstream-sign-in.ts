import { Writable } from 'node:stream';
import { openSecretCipher } from '../../src/keys/open-secret-cipher.ts';
import { createLogger } from '../../src/logger.ts';
import { sealUpstreamSecret } from '../../src/federation/upstream-secrets.ts';
import type { SecretName } from '../../src/federation/upstream-settings.ts';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';
import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import { authorizeUrl, pkcePair, type TestClient } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';
import { startUpstreamOp, type UpstreamOp, type UpstreamOpAccount } from './upstream-op.ts';

/**
 * An oidc or oauth2 upstream as `keyline upstreams add` leaves it (its secrets sealed with the
 * node's secrets key), written to the store so a test can also give what the CLI does not let an
 * operator change (a GitHub preset's emails endpoint pointing at a stand-in).
 */
export async function addRedirectUpstream(
  kl: RunningKeyline,
  fields: Partial<UpstreamRecord> & Pick<UpstreamRecord, 'id' | 'settings'>,
  secrets: Partial<Record<SecretName, string>> = {},
): Promise<UpstreamRecord> {
  const sealer = openSecretCipher(kl.config, createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() })));
  const now = new Date();
  const upstream: UpstreamRecord = {
    name: fields.id, type: 'oidc', enabled: true, preset: null, sealedSecrets: {}, domains: [], provisioning: 'create', sync: 'always',
    trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false, createdAt: now, updatedAt: now, ...fields,
  };
  upstream.sealedSecrets = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, sealUpstreamSecret(sealer, upstream.id, name as SecretName, value)]));
  await kl.store.upstreams.create(upstream);
  return upstream;
}

/** A stand-in upstream OP with these people, added to Keyline as the oidc upstream `id` (`create`, scopes openid and email). Close it after the tests. */
export async function addStandInUpstream(
  kl: RunningKeyline, id: string, accounts: UpstreamOpAccount[], fields: Partial<UpstreamRecord> = {},
): Promise<UpstreamOp> {
  const op = await startUpstreamOp({
    clients: [{ client_id: `keyline-${id}`, client_secret: `secret-${id}`, redirect_uris: [upstreamCallbackUrl(kl.url, id)] }],
    accounts,
  });
  await addRedirectUpstream(kl, {
    id, name: id, provisioning: 'create', settings: { issuer: op.issuer, clientId: `keyline-${id}`, scopes: ['openid', 'email'] }, ...fields,
  }, { clientSecret: `secret-${id}` });
  return op;
}

export interface UpstreamStarted {
  browser: BrowserLikeClient;
  uid: string;
  csrf: string;
  /** The downstream client's PKCE verifier. */
  verifier: string;
  /** Keyline's answer to the button: a 303 to the upstream (or an error page). */
  started: Response;
}

/** A fresh browser at the client's login page presses the button of `upstreamId`. */
export async function pressUpstreamButton(
  kl: RunningKeyline, client: TestClient, upstreamId: string, browser = new BrowserLikeClient(), params: Record<string, string> = {},
): Promise<UpstreamStarted> {
  const { verifier, challenge } = pkcePair();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', ...params })));
  const uid = /\/interaction\/([^/"]+)\//.exec(page.text)?.[1];
  const csrf = hiddenField(page.text, 'csrf');
  if (!uid || !csrf) throw new Error(`expected a login page, got ${page.status}: ${page.text.slice(0, 300)}`);
  const started = await browser.postForm(`${kl.url}/interaction/${uid}/upstream/${upstreamId}`, { csrf });
  return { browser, uid, csrf, verifier, started };
}

/** Follows the browser through the upstream (which completes its own interaction) to the answer it sends back: a redirect to Keyline's callback. */
export async function throughUpstream(browser: BrowserLikeClient, upstreamOrigin: string, started: Response): Promise<Response> {
  if (started.status !== 303 || !started.location?.startsWith(upstreamOrigin)) throw new Error(`Keyline did not send the browser to the upstream: ${started.status} ${started.text.slice(0, 300)}`);
  return browser.followWithin(upstreamOrigin, await browser.get(started.location));
}

/** Brings the upstream's answer back to Keyline and follows Keyline's redirects: the client's callback, or the page Keyline ends on. */
export async function backToKeyline(kl: RunningKeyline, browser: BrowserLikeClient, answer: Response): Promise<Response> {
  if (!answer.location?.startsWith(`${kl.url}/federation/`)) throw new Error(`the upstream did not answer to Keyline's callback: ${answer.status} ${answer.location ?? answer.text.slice(0, 300)}`);
  return browser.followWithin(kl.url, await browser.get(answer.location));
}

/** The whole round trip: the button, the upstream, back to Keyline and to the client (consent included when asked). */
export async function signInThroughUpstream(
  kl: RunningKeyline, client: TestClient, upstreamId: string, upstreamOrigin: string, params: Record<string, string> = {},
): Promise<{ browser: BrowserLikeClient; verifier: string; final: Response; code: string | null }> {
  const { browser, verifier, started } = await pressUpstreamButton(kl, client, upstreamId, new BrowserLikeClient(), params);
  let final = await backToKeyline(kl, browser, await throughUpstream(browser, upstreamOrigin, started));
  const consent = /<form method="post" action="([^"]+\/confirm)"/.exec(final.text);
  if (final.status === 200 && consent) {
    final = await browser.followWithin(kl.url, await browser.postForm(new URL(consent[1]!, kl.url).href, { csrf: hiddenField(final.text, 'csrf') ?? '' }));
  }
  const code = final.location?.startsWith(client.redirectUri) ? new URL(final.location).searchParams.get('code') : null;
  return { browser, verifier, final, code };
}
