import type { Config } from '../config/schema.ts';
import { transmitterResourceDefinition } from '../signals/transmitter-resource.ts';
import { adminApiResource } from './admin-api-resource.ts';
import type { ResourceDefinition } from './resource-registry.ts';

/** The APIs Keyline itself serves: the admin API always, the shared-signals transmitter while signals are on. */
export function builtInResources(config: Config): ResourceDefinition[] {
  return [adminApiResource(config.issuer), ...(config.signals.enabled ? [transmitterResourceDefinition(config.issuer)] : [])];
}
