import type { ScheduledKey } from './signing-key-schedule.ts';

/** A signing key as administrators see it (CLI and admin API): its place in the schedule, never private parts. */
export interface SigningKeyView {
  kid: string;
  alg: string;
  sequence: number;
  status: ScheduledKey['status'];
  createdAt: string;
  activatesAt: string;
  unpublishAt: string | null;
}

export function signingKeyView({ key, status, unpublishAt }: ScheduledKey): SigningKeyView {
  return {
    kid: key.kid,
    alg: key.alg,
    sequence: key.sequence,
    status,
    createdAt: key.createdAt.toISOString(),
    activatesAt: key.activatesAt.toISOString(),
    unpublishAt: unpublishAt?.toISOString() ?? null,
  };
}
