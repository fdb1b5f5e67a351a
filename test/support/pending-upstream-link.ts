import { PendingUpstreamLinks } from '../../src/federation/pending-upstream-links.ts';
import type { UpstreamIdentity } from '../../src/federation/upstream.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';
import { BrowserLikeClient, hiddenField } from './browser-like-client.ts';
import { authorizeUrl, pkcePair, type TestClient } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

/**
 * A login page whose interaction is where an upstream step found a verified email of a local account:
 * what completeUpstreamSignIn leaves in the store for the link-your-account step (stands in for the
 * upstream round trip, which the connector tests drive).
 */
export async function interactionAwaitingLink(
  kl: RunningKeyline, client: TestClient, upstream: UpstreamRecord, accountId: string, identity: UpstreamIdentity,
): Promise<{ browser: BrowserLikeClient; csrf: string; verifier: string; uid: string; linkUrl: string }> {
  const browser = new BrowserLikeClient();
  const { verifier, challenge } = pkcePair();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
  const uid = /\/interaction\/([^/"]+)\/login/.exec(page.text)![1]!;
  await new PendingUpstreamLinks(kl.store, 600).save(uid, { upstreamId: upstream.id, accountId, identity });
  return { browser, csrf: hiddenField(page.text, 'csrf')!, verifier, uid, linkUrl: `${kl.url}/interaction/${uid}/upstream-link` };
}
