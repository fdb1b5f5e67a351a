/** Client metadata Keyline adds to the standard set; oidc-provider validates and carries them. */
export const PKCE_OPTIONAL = 'keyline_pkce_optional';
export const RESOURCES = 'keyline_resources';
/** Every sign-in to this client needs a second factor or a passkey. */
export const REQUIRE_MFA = 'keyline_require_mfa';

export const EXTRA_CLIENT_METADATA = [PKCE_OPTIONAL, RESOURCES, REQUIRE_MFA];

interface ClientLike {
  metadata(): Record<string, unknown>;
}

/**
 * oidc-provider builds a new Client instance whenever a client's metadata changes, so a memo per
 * instance cannot go stale; it saves `metadata()` (which re-cases every property, ~30 µs) per request.
 */
const resourcesByClient = new WeakMap<ClientLike, string[]>();

export function clientResources(client: ClientLike): string[] {
  let resources = resourcesByClient.get(client);
  if (!resources) {
    const value = client.metadata()[RESOURCES];
    resources = Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
    resourcesByClient.set(client, resources);
  }
  return resources;
}

export function validateExtraClientMetadata(key: string, value: unknown): void {
  if ((key === PKCE_OPTIONAL || key === REQUIRE_MFA) && value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${key} must be a boolean`);
  }
  if (key === RESOURCES && value !== undefined) {
    const valid = Array.isArray(value) && value.every((entry) => typeof entry === 'string' && URL.canParse(entry));
    if (!valid) throw new TypeError(`${RESOURCES} must be an array of absolute URLs`);
  }
}
