import type { JWK } from 'jose';
import type { AuditEventRecord, Store } from '../store/store.ts';
import { GENESIS_HASH, chainHash } from './audit-hash.ts';
import { verifyCheckpoint } from './audit-checkpoint-signature.ts';

const PAGE = 1000;

export interface BrokenLink {
  seq: number;
  /** The event at that place, when there is one. */
  event?: Pick<AuditEventRecord, 'id' | 'type' | 'occurredAt'>;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  /** The first seq verified (after the pruning anchor) and the last. */
  firstSeq: number | null;
  lastSeq: number | null;
  verifiedEvents: number;
  checkpoints: number;
  /** Appended events the sealer has not linked yet (normally only the last second's). */
  unsealed: number;
  broken?: BrokenLink;
}

function describe(event: AuditEventRecord): BrokenLink['event'] {
  return { id: event.id, type: event.type, occurredAt: event.occurredAt };
}

/**
 * Walks the whole chain in seq order and stops at the first broken link: a missing seq (a deleted
 * event), a prevHash that does not link (an event moved or forged), a hash that does not match the
 * event's content (an edit), or a signed checkpoint the chain no longer matches (truncation, or the
 * whole chain rewritten). `publicKeys` are all of Keyline's signing keys, retired ones included.
 */
export async function verifyAuditChain(store: Store, publicKeys: ReadonlyMap<string, JWK>): Promise<ChainReport> {
  const checkpoints = await store.audit.checkpoints();
  const report: ChainReport = { ok: true, firstSeq: null, lastSeq: null, verifiedEvents: 0, checkpoints: checkpoints.length, unsealed: 0 };
  const fail = (broken: BrokenLink): ChainReport => ({ ...report, ok: false, broken });

  for (const checkpoint of checkpoints) {
    const claims = await verifyCheckpoint(checkpoint.jws, publicKeys);
    if (!claims || claims.seq !== checkpoint.seq || claims.hash !== checkpoint.hash || claims.kind !== checkpoint.kind) {
      return fail({ seq: checkpoint.seq, reason: `the ${checkpoint.kind} checkpoint at seq ${checkpoint.seq} does not carry a valid signature by one of Keyline's signing keys` });
    }
  }
  const anchor = checkpoints.filter((checkpoint) => checkpoint.kind === 'pruned').at(-1);
  const heads = new Map(checkpoints.filter((checkpoint) => checkpoint.kind === 'head').map((checkpoint) => [checkpoint.seq, checkpoint]));

  let expectedSeq = (anchor?.seq ?? 0) + 1;
  let prevHash = anchor?.hash ?? GENESIS_HASH;
  let from = anchor?.seq ?? 1;
  for (;;) {
    const page = await store.audit.sealedFrom(from, PAGE);
    for (const event of page) {
      const seq = event.seq!;
      if (anchor && seq <= anchor.seq) {
        if (seq === anchor.seq && event.hash !== anchor.hash) return fail({ seq, event: describe(event), reason: 'the event does not match the signed pruning anchor' });
        continue;
      }
      if (seq !== expectedSeq) {
        return fail({ seq: expectedSeq, reason: `event seq ${expectedSeq} is missing (deleted): the chain jumps from seq ${expectedSeq - 1} to ${seq}` });
      }
      if (event.prevHash !== prevHash) return fail({ seq, event: describe(event), reason: `its prevHash does not link to seq ${seq - 1}` });
      if (chainHash(prevHash, seq, event) !== event.hash) return fail({ seq, event: describe(event), reason: 'its content does not match its hash (the event was edited)' });
      const checkpoint = heads.get(seq);
      if (checkpoint && checkpoint.hash !== event.hash) return fail({ seq, event: describe(event), reason: 'it does not match the signed checkpoint for this seq' });
      report.firstSeq ??= seq;
      report.lastSeq = seq;
      report.verifiedEvents += 1;
      prevHash = event.hash;
      expectedSeq = seq + 1;
    }
    if (page.length < PAGE) break;
    from = page.at(-1)!.seq! + 1;
  }
  const newestSigned = [...heads.keys()].sort((a, b) => a - b).at(-1);
  if (newestSigned !== undefined && newestSigned >= expectedSeq) {
    return fail({ seq: expectedSeq, reason: `events from seq ${expectedSeq} on are missing: a checkpoint signed the chain up to seq ${newestSigned}` });
  }
  report.unsealed = (await store.audit.unsealed(10_000)).length;
  return report;
}
