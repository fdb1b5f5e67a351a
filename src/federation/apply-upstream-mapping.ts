import { TEXT_CLAIMS } from '../accounts/profile-claims.ts';
import type { UpstreamRecord } from '../store/store.ts';
import type { MappedIdentity, UpstreamIdentity } from './upstream.ts';

// `name` is the account's display name; the rest are the standard claims the profile keeps.
const PROFILE_FIELDS = new Set<string>(['name', ...TEXT_CLAIMS]);

/** A claim's values as strings: LDAP attributes are lists, OIDC claims one value or a list. */
function valuesOf(claim: unknown): string[] {
  const values = Array.isArray(claim) ? claim : [claim];
  return values.filter((value): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value)).map(String);
}

/**
 * An upstream's mapping applied to an identity, the same for every type: `mapClaims` puts a claim's
 * (first) value in a standard profile field or else a custom attribute; a `mapGroups` rule makes the
 * person a member of its Keyline group when the claim holds the rule's value (exactly).
 */
export function applyUpstreamMapping(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity {
  const mapped: MappedIdentity = { profile: {}, attributes: {}, groups: [] };
  for (const [claim, field] of Object.entries(upstream.mapping.claims)) {
    const [value] = valuesOf(identity.claims[claim]);
    if (value === undefined) continue;
    (PROFILE_FIELDS.has(field) ? mapped.profile : mapped.attributes)[field] = value;
  }
  for (const rule of upstream.mapping.groups) {
    if (valuesOf(identity.claims[rule.claim]).includes(rule.value) && !mapped.groups.includes(rule.group)) mapped.groups.push(rule.group);
  }
  return mapped;
}
