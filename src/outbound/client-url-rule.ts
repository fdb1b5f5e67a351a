/**
 * The rule for a URL Keyline will fetch keys or documents from (a registered `jwks_uri`): https,
 * so that what is fetched cannot be changed on the path; plain http only under the development
 * allowance `outbound.allowPrivateNetworks`, where the server is the developer's own.
 */
export function isFetchableClientUrl(value: unknown, allowPrivateNetworks: boolean): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol, hash } = new URL(value);
  if (hash) return false;
  return protocol === 'https:' || (allowPrivateNetworks && protocol === 'http:');
}

export const FETCHABLE_URL_RULE = 'must be an https URL without a fragment (plain http only while outbound.allowPrivateNetworks is on, for development)';
