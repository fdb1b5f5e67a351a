import type { Config } from '../config/schema.ts';
import type { ResourceRecord, Resources } from '../store/store.ts';
import { RevisionCache } from './revision-cache.ts';

/** An API that receives JWT access tokens: built into Keyline, from the config, or from `keyline resources add`. */
export interface ResourceDefinition {
  indicator: string;
  name: string | undefined;
  scopes: string[];
  signingAlg: string;
  accessTokenTtl: number | undefined;
  /** Its RFC 9728 protected-resource metadata, which discovery links to. */
  metadataUri: string | undefined;
  /**
   * Role-based access control: tokens carry the scopes the subject's roles permit, and `roles` and
   * `permissions`. The admin API's is `people`: enforced for a person's token, not for a client's.
   */
  rbac: boolean | 'people';
  source: 'builtin' | 'config' | 'store';
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
    rbac: resource.rbac,
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
    metadataUri: record.metadataUri ?? undefined,
    rbac: record.rbac === true,
    source: 'store',
  };
}

/**
 * Every API Keyline issues tokens for: its own (the admin API), those declared in the config, then
 * those in the store, read
 * through the same revision cache as clients, so one added with the CLI is served by every running
 * node within a quarter second, without a restart.
 */
export class ResourceRegistry {
  readonly #builtIn: ReadonlyMap<string, ResourceDefinition>;
  readonly #configured: Config['resources'];
  readonly #stored: Resources;
  readonly #cache: RevisionCache<ResourceRecord>;
  #links: { revision: number; links: MetadataLink[] } | undefined;
  #linksCheckedAt = 0;

  constructor(configured: Config['resources'], stored: Resources, builtIn: readonly ResourceDefinition[]) {
    this.#builtIn = new Map(builtIn.map((resource) => [resource.indicator, resource]));
    this.#configured = configured;
    this.#stored = stored;
    this.#cache = new RevisionCache(stored);
  }

  async find(indicator: string): Promise<ResourceDefinition | undefined> {
    const builtIn = this.#builtIn.get(indicator);
    if (builtIn) return builtIn;
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

  /** Built-in, then config, then the store; read fresh (for the CLI and the admin API, not per request). */
  async list(): Promise<ResourceDefinition[]> {
    const shadowed = (indicator: string) => this.#builtIn.has(indicator);
    const configured = Object.entries(this.#configured).filter(([indicator]) => !shadowed(indicator)).map(([indicator, resource]) => fromConfig(indicator, resource));
    const stored = (await this.#stored.list()).filter((record) => !shadowed(record.indicator) && !this.#configured[record.indicator]).map(fromStore);
    return [...this.#builtIn.values(), ...configured, ...stored];
  }

  /** Only the store's resources can be changed at run time; built-in and configured ones are fixed. */
  isFixed(indicator: string): ResourceDefinition['source'] | undefined {
    if (this.#builtIn.has(indicator)) return 'builtin';
    return this.#configured[indicator] ? 'config' : undefined;
  }
}
