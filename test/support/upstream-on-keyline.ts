import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import type { RunningKeyline } from './start-keyline.ts';
import { startUpstreamOp, type UpstreamOp, type UpstreamOpAccount } from './upstream-op.ts';
import { addRedirectUpstream } from './upstream-sign-in.ts';

/** A stand-in upstream OpenID Provider registered on this Keyline as upstream `id`, with one person signing in. */
export async function stagedOidcUpstream(kl: RunningKeyline, id: string, account: UpstreamOpAccount): Promise<UpstreamOp> {
  const op = await startUpstreamOp({
    clients: [{ client_id: `keyline-${id}`, client_secret: `secret-${id}`, redirect_uris: [upstreamCallbackUrl(kl.url, id)] }],
    accounts: [account],
  });
  await addRedirectUpstream(kl, { id, settings: { issuer: op.issuer, clientId: `keyline-${id}` } }, { clientSecret: `secret-${id}` });
  op.signInAs(account.sub);
  return op;
}
