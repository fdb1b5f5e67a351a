import type { Tracing } from '../http/tracing.ts';
import { DuplicateError, NotFoundError } from './store-errors.ts';
import type { Store } from './store.ts';

export interface StoreObserver {
  observeStore(operation: string, seconds: number, failed: boolean): void;
}

const REPOSITORIES = [
  'oidc', 'accounts', 'clients', 'resources', 'groups', 'roles', 'signingKeys', 'secrets', 'consents', 'counters', 'audit', 'leases', 'factors',
  'recoveryCodes', 'jobs', 'streams', 'upstreams', 'federatedIdentities',
] as const;

function methodNames(repository: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(repository) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return [...names];
}

/**
 * The same store, with every repository call timed (and counted when it fails for a reason other
 * than not-found or already-exists), and a child span per call when tracing is on. The wrappers
 * are built once; a call costs two clock reads and a histogram observation.
 */
export function instrumentStore(store: Store, observer: StoreObserver, tracing: Tracing): Store {
  const wrapped: Record<string, unknown> = {};
  for (const name of REPOSITORIES) {
    const repository = store[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const facade: Record<string, unknown> = {};
    for (const method of methodNames(repository)) {
      const operation = `${name}.${method}`;
      const attributes = { 'db.operation.name': operation, 'db.system.name': store.kind === 'mongo' ? 'mongodb' : 'sqlite' };
      const call = async (...args: unknown[]) => {
        const started = performance.now();
        let failed = false;
        try {
          return await repository[method]!(...args);
        } catch (error) {
          failed = !(error instanceof NotFoundError || error instanceof DuplicateError);
          throw error;
        } finally {
          observer.observeStore(operation, (performance.now() - started) / 1000, failed);
        }
      };
      facade[method] = tracing.enabled ? (...args: unknown[]) => tracing.inSpan(`store ${operation}`, attributes, () => call(...args)) : call;
    }
    wrapped[name] = facade;
  }
  return {
    ...(wrapped as unknown as Pick<Store, (typeof REPOSITORIES)[number]>),
    kind: store.kind,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
