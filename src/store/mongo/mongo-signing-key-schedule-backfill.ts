import type { Db } from 'mongodb';
import { COLLECTION_NAMES } from './mongo-collections.ts';
import type { SigningKeyDocument } from './mongo-documents.ts';

/**
 * Keys stored before the rotation schedule existed have no sequence: number them per algorithm by
 * creation time, as the SQLite migration does, before the unique (alg, sequence) index is built.
 * Returns how many keys it numbered.
 */
export async function backfillSigningKeySchedule(db: Db): Promise<number> {
  const keys = db.collection<SigningKeyDocument>(COLLECTION_NAMES.signingKeys);
  const legacy = await keys.find({ sequence: { $exists: false } }).sort({ createdAt: 1, _id: 1 }).toArray();
  const nextByAlg = new Map<string, number>();
  for (const key of legacy) {
    if (!nextByAlg.has(key.alg)) {
      const [highest] = await keys.find({ alg: key.alg, sequence: { $exists: true } }).sort({ sequence: -1 }).limit(1).toArray();
      nextByAlg.set(key.alg, (highest?.sequence ?? 0) + 1);
    }
    const sequence = nextByAlg.get(key.alg)!;
    nextByAlg.set(key.alg, sequence + 1);
    await keys.updateOne(
      { _id: key._id, sequence: { $exists: false } },
      { $set: { sequence, activatesAt: key.createdAt, retiredAt: null } },
    );
  }
  return legacy.length;
}
