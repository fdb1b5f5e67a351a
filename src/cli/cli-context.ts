import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { ResourceRegistry } from '../oidc/resource-registry.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

/** What a command works with: the server's own configuration and store, opened on first use. */
export class CliContext {
  readonly io: CliIo;
  #config: Config | undefined;
  #store: Store | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  get config(): Config {
    this.#config ??= loadConfig(this.io.env);
    return this.#config;
  }

  async store(): Promise<Store> {
    this.#store ??= await openStore(this.config);
    return this.#store;
  }

  /** The APIs the server knows: from the config and from the store. */
  async resources(): Promise<ResourceRegistry> {
    return new ResourceRegistry(this.config.resources, (await this.store()).resources);
  }

  print(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  async close(): Promise<void> {
    await this.#store?.close();
  }
}
