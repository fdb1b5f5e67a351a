import type { Config } from '../config/schema.ts';
import type { ResourceRecord, Resources } from '../store/store.ts';
import { RevisionCache } from './revision-cache.ts';

/** An API that receives JWT access tokens, from the config or from `keyline resources add`. */
export interface ResourceDefinition {
  indicator: string;
  name: string | undefined;
  scopes: string[];
  signingAlg: string;
  accessTokenTtl: number | undefined;
  /** Its RFC 9728 protected-resource metadata, which discovery links to. */
  metadataUri: string | undefined;
  source: 'config' | 'store';
}

/** A resource whose protected-resource metadata discovery links to. */
export interface MetadataLink {
  resource: string;
  metadataUri: string;
}

const RECHECK_MS = 250;

function fromConfig(indicator: string, resource: Config['resources'][string]): ResourceDefinition {
  return {
    indicator,
    name: resource.name,
    scopes: resource.scopes,
    signingAlg: resource.signingAlg,
    accessTokenTtl: resource.accessTokenTtl,
    metadataUri: resource.metadataUri,
    source: 'config',
  };
}

function fromStore(record: ResourceRecord): ResourceDefinition {
  return {
    indicator: record.indicator,
    name: record.name ?? undefined,
    scopes: record.scopes,
    signingAlg: record.signingAlg,
    accessTokenTtl: record.accessTokenTtl ?? undefined,
    metadataUri: record.metadataUri,
    source: 'store',
  };
}

/**
 * Every API Keyline issues tokens for: those declared in the config, then those in the store, read
 * through the same revision cache as clients, so one added with the CLI is served by every running
 * node within a quarter second, without a restart.
 */
export class ResourceRegistry {
  readonly #configured: Config['resources'];
  readonly #stored: Resources;
  readonly #cache: RevisionCache<ResourceRecord>;
  #links: { revision: number; links: MetadataLink[] } | undefined;
  #linksCheckedAt = 0;

  constructor(configured: Config['resources'], stored: Resources) {
    this.#configured = configured;
    this.#stored = stored;
    this.#cache = new RevisionCache(stored);
  }

  async find(indicator: string): Promise<ResourceDefinition | undefined> {
    const configured = this.#configured[indicator];
    if (configured) return fromConfig(indicator, configured);
    const stored = await this.#cache.find(indicator);
    return stored && fromStore(stored);
  }

  /**
   * The resources that publish RFC 9728 metadata, for every discovery request: read again only
   * when the store's resources revision changed, which is asked at most every 250 ms.
   */
  async metadataLinks(): Promise<MetadataLink[]> {
    const now = Date.now();
    if (this.#links && now - this.#linksCheckedAt < RECHECK_MS) return this.#links.links;
    this.#linksCheckedAt = now;
    const revision = await this.#stored.revision();
    if (this.#links?.revision !== revision) {
      const links = (await this.list()).flatMap(({ indicator, metadataUri }) => (metadataUri ? [{ resource: indicator, metadataUri }] : []));
      this.#links = { revision, links };
    }
    return this.#links.links;
  }

  /** Config first, then the store; read fresh (for the CLI, not per request). */
  async list(): Promise<ResourceDefinition[]> {
    const configured = Object.entries(this.#configured).map(([indicator, resource]) => fromConfig(indicator, resource));
    const stored = (await this.#stored.list()).filter((record) => !this.#configured[record.indicator]).map(fromStore);
    return [...configured, ...stored];
  }
}
