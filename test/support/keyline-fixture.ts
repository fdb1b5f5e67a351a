import type { Backend } from './backends.ts';
import { createTestUser, registerTestClient, type TestClient, type TestUser } from './oidc-flow.ts';
import { startKeylineCluster } from './keyline-cluster.ts';
import { startKeyline, type RunningKeyline, type StartOptions } from './start-keyline.ts';

/** A Keyline on the backend's fresh store: one in-process server, or the backend's processes behind a proxy. */
export async function startOnBackend(backend: Backend, options: Omit<StartOptions, 'store'> = {}): Promise<{ kl: RunningKeyline; cleanup(): Promise<void> }> {
  const { location, cleanup } = await backend.create();
  const kl = backend.nodes
    ? await startKeylineCluster({ ...options, store: location, nodes: backend.nodes })
    : await startKeyline({ ...options, store: location });
  return { kl, cleanup };
}

export interface KeylineFixture {
  kl: RunningKeyline;
  client: TestClient;
  user: TestUser;
}

/**
 * Registers beforeAll/afterAll hooks: a Keyline on a fresh store of `backend`, with one
 * confidential code-flow client and one user, handed to `ready`; stopped and its data removed after.
 */
export function useKeyline(
  backend: Backend,
  options: Omit<StartOptions, 'store'>,
  ready: (fixture: KeylineFixture) => void | Promise<void>,
): void {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { kl, cleanup } = await startOnBackend(backend, options);
    stop = async () => {
      await kl.stop();
      await cleanup();
    };
    await ready({ kl, client: await registerTestClient(kl), user: await createTestUser(kl) });
  });
  afterAll(() => stop?.());
}
