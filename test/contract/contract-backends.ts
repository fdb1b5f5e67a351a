/**
 * The backends the storage contract runs against. Each test gets a fresh, empty store.
 */
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { allBackends, type Backend } from '../support/backends.ts';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

export interface ContractBackend {
  name: string;
  open(): Promise<OpenedStore>;
}

/** Opens a store on each fresh location the shared test backends hand out. */
function contractBackendOf(backend: Backend): ContractBackend {
  return {
    name: backend.name,
    async open() {
      const { location, cleanup } = await backend.create();
      const store = await openStore({ store: location, sqlite: { synchronous: 'NORMAL' } });
      return {
        store,
        async dispose() {
          await store.close();
          await cleanup();
        },
      };
    },
  };
}

export async function contractBackends(): Promise<ContractBackend[]> {
  return (await allBackends()).map(contractBackendOf);
}

/** Registers beforeEach/afterEach hooks giving every test a fresh store of the backend. */
export function useFreshStore(backend: ContractBackend): () => Store {
  let opened: OpenedStore | undefined;
  beforeEach(async () => {
    opened = await backend.open();
  });
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });
  return () => {
    if (!opened) throw new Error('the store is only open inside a test');
    return opened.store;
  };
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
