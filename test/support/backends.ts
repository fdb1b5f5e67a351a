import { temporaryDirectory } from './start-keyline.ts';
import { join } from 'node:path';

export interface Backend {
  name: string;
  /** A fresh, empty store location for one test file, and how to clean it up. */
  create(): Promise<{ location: string; cleanup(): Promise<void> }>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async create() {
    const directory = temporaryDirectory();
    return { location: join(directory.path, 'keyline.sqlite'), cleanup: async () => directory.remove() };
  },
};

/** Every backend the integration flows must pass on. */
export function backendsUnderTest(): Backend[] {
  return [sqliteBackend];
}
