import { AccountsService } from '../accounts/accounts-service.ts';
import { CredentialThrottle } from '../accounts/throttle/credential-throttle.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { SIGNING_ALGS } from '../config/schema.ts';
import { SealedSecrets } from '../keys/sealed-secrets.ts';
import type { SecretCipher } from '../keys/secret-cipher.ts';
import { resolveSecretCipher } from '../keys/secrets-key-source.ts';
import { SigningKeyManager } from '../keys/signing-key-manager.ts';
import { signingKeyPolicy } from '../keys/signing-key-policy.ts';
import { Outbox } from '../jobs/outbox.ts';
import { createLogger, type Logger } from '../logger.ts';
import { builtInResources } from '../oidc/built-in-resources.ts';
import { ResourceRegistry } from '../oidc/resource-registry.ts';
import { openStore } from '../store/open-store.ts';
import { assertStoreExists } from '../store/store-exists.ts';
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
  #cipher: SecretCipher | undefined;
  readonly logger: Logger = createLogger('silent');
  /** Only `keyline migrate` may create the store: any other verb on a missing one is a typo in its location. */
  readonly #createsStore: boolean;

  constructor(io: CliIo, options: { createsStore?: boolean } = {}) {
    this.io = io;
    this.#createsStore = options.createsStore ?? false;
  }

  get config(): Config {
    this.#config ??= loadConfig(this.io.env);
    return this.#config;
  }

  async store(): Promise<Store> {
    if (!this.#store && !this.#createsStore) await assertStoreExists(this.config.store);
    this.#store ??= await openStore(this.config);
    return this.#store;
  }

  /** The same accounts service the server uses, on this store and throttling configuration. */
  async accounts(): Promise<AccountsService> {
    const store = await this.store();
    return new AccountsService(store, new CredentialThrottle(store.counters, this.config.login), undefined, await this.outbox());
  }

  /** The server's outbox: what the CLI enqueues (logout tokens, signals) a running node delivers. */
  async outbox(): Promise<Outbox> {
    return new Outbox((await this.store()).jobs, { maxAttempts: this.config.jobs.maxAttempts });
  }

  /** The secrets cipher the server uses; a development key generated now is announced on stderr. */
  get cipher(): SecretCipher {
    if (!this.#cipher) {
      const { cipher, generatedAt } = resolveSecretCipher(this.config, this.io.env);
      if (generatedAt) this.io.stderr.write(`keyline: no secrets key configured: generated a development key at ${generatedAt}; in production set KEYLINE_SECRETS_KEY\n`);
      this.#cipher = cipher;
    }
    return this.#cipher;
  }

  async secrets(): Promise<SealedSecrets> {
    return new SealedSecrets((await this.store()).secrets, this.cipher);
  }

  /** The signing keys, as the server manages them (with the same schedule). */
  async signingKeys(): Promise<SigningKeyManager> {
    return new SigningKeyManager({
      store: await this.store(), cipher: this.cipher, policy: signingKeyPolicy(this.config), algorithms: SIGNING_ALGS, logger: this.logger,
    });
  }

  /** The APIs the server knows: from the config and from the store. */
  async resources(): Promise<ResourceRegistry> {
    return new ResourceRegistry(this.config.resources, (await this.store()).resources, builtInResources(this.config));
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
