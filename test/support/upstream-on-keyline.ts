import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import type { Backend } from './backends.ts';
import { useKeyline, type KeylineFixture } from './keyline-fixture.ts';
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

/**
 * Registers beforeAll/afterAll hooks: a Keyline on a fresh store of `backend` that may call
 * 127.0.0.1, with a client and a user (useKeyline's), and the stand-in upstream `acme` where
 * `account` signs in; handed to `ready`, all stopped after.
 */
export function useKeylineWithOidcUpstream(backend: Backend, account: UpstreamOpAccount, ready: (fixture: KeylineFixture & { op: UpstreamOp }) => void): void {
  let op: UpstreamOp | undefined;
  useKeyline(backend, { config: { outbound: { allowPrivateNetworks: true } } }, async (fixture) => {
    op = await stagedOidcUpstream(fixture.kl, 'acme', account);
    ready({ ...fixture, op });
  });
  afterAll(() => op?.close());
}
