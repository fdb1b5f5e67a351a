import type { Config } from '../config/schema.ts';

/** The rotation policy in milliseconds. */
export interface SigningKeyPolicy {
  prePublishMs: number;
  rotateEveryMs: number;
  /** How long a superseded key stays published: the longest lifetime of what it signed, plus a margin. */
  retainAfterSupersededMs: number;
}

/** The longest-lived thing a signing key signs: an id_token or a JWT access token (any resource's own TTL counts). */
export function longestSignedTokenLifetime(config: Pick<Config, 'ttl' | 'resources'>): number {
  const resourceTtls = Object.values(config.resources).map((resource) => resource.accessTokenTtl ?? 0);
  return Math.max(config.ttl.idToken, config.ttl.accessToken, ...resourceTtls);
}

export function signingKeyPolicy(config: Pick<Config, 'ttl' | 'resources' | 'keys'>): SigningKeyPolicy {
  return {
    prePublishMs: config.keys.prePublish * 1000,
    rotateEveryMs: config.keys.rotateEvery * 1000,
    retainAfterSupersededMs: (longestSignedTokenLifetime(config) + config.keys.retireMargin) * 1000,
  };
}

/**
 * JWKS `max-age`: well inside the pre-publication window, so every cache has fetched a new key
 * before it signs, and at most an hour, so a key removed by `keys rotate --now` leaves caches soon.
 */
export function jwksMaxAgeSeconds(config: Pick<Config, 'keys'>): number {
  return Math.max(1, Math.min(3600, Math.floor(config.keys.prePublish / 4)));
}
