import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Logger } from '../logger.ts';
import type { AuditCheckpoint, AuditEventRecord, Store } from '../store/store.ts';
import { GENESIS_HASH, chainHash } from './audit-hash.ts';
import { signCheckpoint } from './audit-checkpoint-signature.ts';

const LEASE = 'audit-sealer';
const BATCH = 500;

export interface AuditSealerOptions {
  store: Store;
  logger: Logger;
  /** The private JWK that signs checkpoints: Keyline's current signing key. */
  signingKey: () => JWK;
  retentionDays: number;
  checkpointEveryMs: number;
  clock?: () => number;
}

/** Where the chain continues from: its last linked event, or the pruning anchor when every linked event is gone. */
async function chainTip(store: Store): Promise<{ seq: number; hash: string }> {
  const head = await store.audit.head();
  if (head) return { seq: head.seq!, hash: head.hash! };
  const anchor = (await store.audit.checkpoints()).filter((checkpoint) => checkpoint.kind === 'pruned').at(-1);
  return anchor ? { seq: anchor.seq, hash: anchor.hash } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Links appended events into the hash chain, shortly after they were appended. Appends stay plain
 * inserts on the hot path; one node at a time (a lease in the store) seals, signs the chain head
 * every `checkpointEveryMs`, and prunes past `retentionDays` behind a signed anchor, so the chain
 * still verifies from its new start. Should two sealers ever overlap, the store links each event
 * and each seq once, and the loser stops.
 */
export class AuditSealer {
  readonly #options: AuditSealerOptions;
  readonly #holder = randomUUID();
  readonly #clock: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #lastCheckpointAt = 0;
  #lastPruneAt = 0;

  constructor(options: AuditSealerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.tick().catch((error: unknown) => {
        this.#options.logger.warn({ err: error }, 'audit sealing failed; retrying at the next interval');
      });
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#options.store.leases.release(LEASE, this.#holder).catch(() => undefined);
  }

  /** One round: seal what is waiting, then checkpoint and prune when due. Returns how many events it linked. Rounds never overlap. */
  tick(): Promise<number> {
    const round = (this.#running ?? Promise.resolve()).catch(() => undefined).then(() => this.#round());
    const settled: Promise<unknown> = round.catch(() => undefined).finally(() => { if (this.#running === settled) this.#running = undefined; });
    this.#running = settled;
    return round;
  }

  async #round(): Promise<number> {
    const { store } = this.#options;
    const waiting = await store.audit.unsealed(BATCH);
    const now = this.#clock();
    const checkpointDue = now - this.#lastCheckpointAt >= this.#options.checkpointEveryMs;
    const pruneDue = this.#options.retentionDays > 0 && now - this.#lastPruneAt >= 3600_000;
    if (waiting.length === 0 && !checkpointDue && !pruneDue) return 0;
    if (!await store.leases.acquire(LEASE, this.#holder, 30)) {
      // Another node seals, and it checkpoints and prunes too: ask again only when there is work.
      this.#lastCheckpointAt = now;
      if (pruneDue) this.#lastPruneAt = now;
      return 0;
    }
    let linked = 0;
    let batch = waiting;
    while (batch.length > 0) {
      const sealed = await this.#seal(batch);
      linked += sealed;
      if (sealed < batch.length) break;
      batch = await store.audit.unsealed(BATCH);
    }
    if (checkpointDue) await this.checkpoint();
    if (pruneDue) await this.prune();
    return linked;
  }

  async #seal(events: AuditEventRecord[]): Promise<number> {
    let { seq, hash } = await chainTip(this.#options.store);
    const seals = events.map((event) => {
      seq += 1;
      const prevHash = hash;
      hash = chainHash(prevHash, seq, event);
      return { id: event.id, seq, prevHash, hash };
    });
    return this.#options.store.audit.seal(seals);
  }

  /** Signs the chain head, so truncating the newest events or rewriting the whole chain is detectable. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    this.#lastCheckpointAt = this.#clock();
    const head = await this.#options.store.audit.head();
    if (!head) return undefined;
    const signed = (await this.#options.store.audit.checkpoints()).filter((checkpoint) => checkpoint.kind === 'head').at(-1);
    if (signed && signed.seq >= head.seq!) return signed;
    return this.#addCheckpoint('head', head.seq!, head.hash!);
  }

  /**
   * Deletes linked events older than the retention, after signing an anchor for the last one it
   * deletes: verification then starts from the anchor, and a deletion beyond it is still a gap.
   */
  async prune(): Promise<number> {
    const now = this.#clock();
    this.#lastPruneAt = now;
    const { store } = this.#options;
    const head = await store.audit.head();
    if (!head) return 0;
    const firstKept = await store.audit.firstSealedAtOrAfter(new Date(now - this.#options.retentionDays * 86_400_000));
    // The head itself is always kept, so the chain never loses its tip.
    const throughSeq = Math.min(firstKept ? firstKept.seq! - 1 : head.seq!, head.seq! - 1);
    const [last] = throughSeq > 0 ? await store.audit.sealedFrom(throughSeq, 1) : [];
    if (!last || last.seq !== throughSeq) return 0;
    await this.#addCheckpoint('pruned', last.seq, last.hash!);
    const removed = await store.audit.pruneThrough(throughSeq);
    this.#options.logger.info({ event: 'audit.pruned', throughSeq, removed }, 'audit events past the retention were pruned');
    return removed;
  }

  async #addCheckpoint(kind: AuditCheckpoint['kind'], seq: number, hash: string): Promise<AuditCheckpoint> {
    const iat = Math.floor(this.#clock() / 1000);
    const checkpoint: AuditCheckpoint = {
      kind, seq, hash, signedAt: new Date(iat * 1000), jws: await signCheckpoint({ kind, seq, hash, iat }, this.#options.signingKey()),
    };
    await this.#options.store.audit.addCheckpoint(checkpoint);
    return checkpoint;
  }
}
