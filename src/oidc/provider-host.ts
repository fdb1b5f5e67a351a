import type Provider from 'oidc-provider';

/**
 * oidc-provider reads its signing keys once, when it is constructed. When the key set changes (a
 * rotation, a retirement, a key added by another node) the composition root builds a new provider
 * and swaps it in here; requests already running finish on the old one. `provider` is a stable
 * stand-in for whichever instance is current, for code that keeps a reference (the interaction
 * steps, tests, the CLI).
 */
export class ProviderHost {
  #current: Provider;
  readonly provider: Provider;

  constructor(initial: Provider) {
    this.#current = initial;
    this.provider = new Proxy(initial, {
      get: (_target, property) => {
        const current = this.#current;
        const value: unknown = Reflect.get(current, property, current);
        // Methods run on the current instance (oidc-provider keeps its state keyed by instance);
        // model classes (Client, Grant, ...) are handed out as they are, statics and all.
        const isModelClass = typeof property === 'string' && /^[A-Z]/.test(property);
        return typeof value === 'function' && !isModelClass ? (value as (...args: unknown[]) => unknown).bind(current) : value;
      },
      set: (_target, property, value) => Reflect.set(this.#current, property, value, this.#current),
      has: (_target, property) => Reflect.has(this.#current, property),
    });
  }

  get current(): Provider {
    return this.#current;
  }

  replace(next: Provider): void {
    this.#current = next;
  }
}
