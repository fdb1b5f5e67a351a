import { RevisionCache } from '../oidc/revision-cache.ts';
import type { UpstreamRecord, Upstreams } from '../store/store.ts';

/**
 * The upstreams as a running node sees them: read from the store once per revision (the revision
 * cache clients and API resources use), so a change the CLI or another node makes is served within
 * `recheckMs`, without a restart. What the login flow and the connectors ask for.
 */
export class UpstreamDirectory {
  readonly #cache: RevisionCache<UpstreamRecord>;

  constructor(upstreams: Upstreams, recheckMs?: number) {
    this.#cache = new RevisionCache<UpstreamRecord>({
      find: (id) => upstreams.find(id),
      revision: () => upstreams.revision(),
      list: () => upstreams.list(),
    }, recheckMs);
  }

  /** An enabled upstream by id; a disabled one is as good as absent to the login flow. */
  async enabled(id: string): Promise<UpstreamRecord | undefined> {
    const upstream = await this.#cache.find(id);
    return upstream?.enabled ? upstream : undefined;
  }

  /** Every enabled upstream, by id; `only` (a client's --upstreams) narrows them, in that order. */
  async offered(only?: readonly string[]): Promise<UpstreamRecord[]> {
    const enabled = (await this.#cache.list()).filter((upstream) => upstream.enabled);
    if (!only) return enabled;
    return only.flatMap((id) => enabled.filter((upstream) => upstream.id === id));
  }

  /** The enabled upstream that claims the email's domain (home-realm discovery), if any. */
  async forEmail(email: string): Promise<UpstreamRecord | undefined> {
    const at = email.lastIndexOf('@');
    if (at < 1) return undefined;
    const domain = email.slice(at + 1).toLowerCase();
    return (await this.#cache.list()).find((upstream) => upstream.enabled && upstream.domains.includes(domain));
  }
}
