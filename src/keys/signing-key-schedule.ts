import type { StoredSigningKey } from '../store/store.ts';
import type { SigningKeyPolicy } from './signing-key-policy.ts';

export type KeyStatus = 'pending' | 'signing' | 'superseded' | 'retired';

export interface ScheduledKey {
  key: StoredSigningKey;
  status: KeyStatus;
  /** When a newer key of its algorithm took over signing. */
  supersededAt: Date | null;
  /** When it leaves (or left) the JWKS; null while that is not decided yet. */
  unpublishAt: Date | null;
}

/** The key set at one moment: what is published and what signs, per algorithm. */
export interface KeySetView {
  keys: ScheduledKey[];
  /** JWKS order: per algorithm the signing key first (oidc-provider signs with the first match), then the others. */
  published: StoredSigningKey[];
  signing: Map<string, StoredSigningKey>;
  /** Changes whenever what is published or what signs changes. */
  fingerprint: string;
}

export interface NextKey {
  alg: string;
  sequence: number;
  activatesAt: Date;
}

function isRetired(key: StoredSigningKey, now: number): boolean {
  return key.retiredAt !== null && key.retiredAt.getTime() <= now;
}

function byAlgorithm(keys: readonly StoredSigningKey[]): Map<string, StoredSigningKey[]> {
  const groups = new Map<string, StoredSigningKey[]>();
  for (const key of [...keys].sort((a, b) => a.sequence - b.sequence)) {
    groups.set(key.alg, [...(groups.get(key.alg) ?? []), key]);
  }
  return groups;
}

/**
 * Where each key stands at `now`. Pure: every node that reads the same keys computes the same
 * view, which is how nodes agree without talking to each other. The signing key of an algorithm is
 * its highest-sequence key that has activated and is not retired; a key is superseded when a later
 * one activates, and leaves the JWKS `retainAfterSupersededMs` after that.
 */
export function keySetAt(keys: readonly StoredSigningKey[], now: number, policy: SigningKeyPolicy): KeySetView {
  const scheduled: ScheduledKey[] = [];
  const published: StoredSigningKey[] = [];
  const signing = new Map<string, StoredSigningKey>();
  for (const [alg, group] of byAlgorithm(keys)) {
    const live = group.filter((key) => !isRetired(key, now));
    const activated = live.filter((key) => key.activatesAt.getTime() <= now);
    const current = activated.at(-1);
    if (current) signing.set(alg, current);
    const others: StoredSigningKey[] = [];
    for (const key of group) {
      const successor = activated.find((later) => later.sequence > key.sequence);
      const supersededAt = successor ? successor.activatesAt : null;
      const expiresAt = supersededAt ? new Date(supersededAt.getTime() + policy.retainAfterSupersededMs) : null;
      let status: KeyStatus;
      if (isRetired(key, now) || (expiresAt && expiresAt.getTime() <= now)) status = 'retired';
      else if (key === current) status = 'signing';
      else if (key.activatesAt.getTime() > now) status = 'pending';
      else status = 'superseded';
      const unpublishAt = key.retiredAt && (!expiresAt || key.retiredAt < expiresAt) ? key.retiredAt : expiresAt;
      scheduled.push({ key, status, supersededAt, unpublishAt });
      if (status === 'pending' || status === 'superseded') others.push(key);
    }
    if (current) published.push(current);
    published.push(...others.sort((a, b) => b.sequence - a.sequence));
  }
  const fingerprint = published.map((key) => `${key.kid}${signing.get(key.alg) === key ? '*' : ''}`).join(',');
  return { keys: scheduled, published, signing, fingerprint };
}

/**
 * The keys that should exist now and do not: a first key for an algorithm without one (signing at
 * once), and a successor, published `prePublishMs` before it signs, once the signing key is due to
 * be replaced. At most one pending key per algorithm.
 */
export function keysDue(keys: readonly StoredSigningKey[], algorithms: readonly string[], now: number, policy: SigningKeyPolicy): NextKey[] {
  const groups = byAlgorithm(keys);
  const due: NextKey[] = [];
  for (const alg of algorithms) {
    const group = groups.get(alg) ?? [];
    const sequence = (group.at(-1)?.sequence ?? 0) + 1;
    const live = group.filter((key) => !isRetired(key, now));
    const current = live.filter((key) => key.activatesAt.getTime() <= now).at(-1);
    if (!current) {
      if (!live.some((key) => key.activatesAt.getTime() > now)) due.push({ alg, sequence, activatesAt: new Date(now) });
      continue;
    }
    if (live.some((key) => key.sequence > current.sequence)) continue;
    const rotatesAt = current.activatesAt.getTime() + policy.rotateEveryMs;
    if (now >= rotatesAt - policy.prePublishMs) {
      due.push({ alg, sequence, activatesAt: new Date(Math.max(rotatesAt, now + policy.prePublishMs)) });
    }
  }
  return due;
}
