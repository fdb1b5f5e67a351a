import { TEXT_CLAIMS } from '../accounts/profile-claims.ts';
import type { UpstreamRecord } from '../store/store.ts';
import type { MappedIdentity, UpstreamIdentity } from './upstream.ts';

const PROFILE_FIELDS: ReadonlySet<string> = new Set<string>([...TEXT_CLAIMS, 'name']);

/**
 * The one mapping every upstream type applies (oidc, oauth2, ldap): each mapped upstream claim (or
 * LDAP attribute) that the identity has becomes a profile field when Keyline has a standard claim
 * of that name, otherwise a custom attribute; a group rule adds its Keyline group when the claim's
 * value (or one of its values) equals the rule's. Pure: what to do with the result is the caller's.
 */
export function mapIdentity(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity {
  const mapped: MappedIdentity = { profile: {}, attributes: {}, groups: [] };
  for (const [claim, field] of Object.entries(upstream.mapping.claims)) {
    const value = identity.claims[claim];
    if (value === undefined || value === null) continue;
    (PROFILE_FIELDS.has(field) ? mapped.profile : mapped.attributes)[field] = value;
  }
  for (const rule of upstream.mapping.groups) {
    const value = identity.claims[rule.claim];
    const values = Array.isArray(value) ? value : [value];
    if (values.some((one) => String(one) === rule.value) && !mapped.groups.includes(rule.group)) mapped.groups.push(rule.group);
  }
  return mapped;
}
