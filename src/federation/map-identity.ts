import { TEXT_CLAIMS } from '../accounts/profile-claims.ts';
import type { UpstreamMapping } from '../store/store.ts';
import type { MappedIdentity, UpstreamIdentity } from './upstream.ts';

const PROFILE_FIELDS = new Set<string>(['name', ...TEXT_CLAIMS]);

/** A claim's values as texts: a string, a number or boolean written out, or a list of those. */
function claimValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((item) => (typeof item === 'string' || typeof item === 'number' ? [String(item)] : []));
  return [];
}

/**
 * An upstream's mapping applied to an identity, the same for every type (OIDC claims, OAuth user
 * fields, LDAP attributes): a mapped claim becomes a profile field (name and the standard claims)
 * or else a custom attribute (checked against its declaration when it is stored); a group rule
 * makes the person a member when the claim has the value (or a list claim contains it). Pure.
 */
export function mapIdentity(mapping: UpstreamMapping, identity: Pick<UpstreamIdentity, 'claims'>): MappedIdentity {
  const profile: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [claim, field] of Object.entries(mapping.claims)) {
    if (!Object.hasOwn(identity.claims, claim)) continue;
    const value = identity.claims[claim];
    if (value === undefined || value === null) continue;
    if (PROFILE_FIELDS.has(field)) {
      const [text] = claimValues(value);
      if (text !== undefined) profile[field] = text;
    } else {
      attributes[field] = value;
    }
  }
  const groups = mapping.groups
    .filter((rule) => Object.hasOwn(identity.claims, rule.claim) && claimValues(identity.claims[rule.claim]).includes(rule.value))
    .map((rule) => rule.group);
  return { profile, attributes, groups: [...new Set(groups)] };
}
