/** Client metadata Keyline adds to the standard set; oidc-provider validates and carries them. */
export const PKCE_OPTIONAL = 'keyline_pkce_optional';
export const RESOURCES = 'keyline_resources';

export const EXTRA_CLIENT_METADATA = [PKCE_OPTIONAL, RESOURCES];

interface ClientLike {
  metadata(): Record<string, unknown>;
}

export function clientResources(client: ClientLike): string[] {
  const value = client.metadata()[RESOURCES];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export function validateExtraClientMetadata(key: string, value: unknown): void {
  if (key === PKCE_OPTIONAL && value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${PKCE_OPTIONAL} must be a boolean`);
  }
  if (key === RESOURCES && value !== undefined) {
    const valid = Array.isArray(value) && value.every((entry) => typeof entry === 'string' && URL.canParse(entry));
    if (!valid) throw new TypeError(`${RESOURCES} must be an array of absolute URLs`);
  }
}
