import { z } from 'zod';
import { payloadOf, type JobHandler } from '../jobs/job-handler.ts';
import { CLAIMS_CHANGE_JOB, type SecuritySignals } from '../signals/security-signals.ts';
import type { Store } from '../store/store.ts';
import { effectiveAccessOfAccount } from './effective-access.ts';

const claimsChange = z.object({
  accountIds: z.array(z.string().min(1)).max(1000),
  txn: z.string().min(1),
  reason: z.string().max(200),
});

/**
 * Turns one claims-change job (a batch of people a change of groups or roles reached) into a CAEP
 * token-claims-change per person, with their groups and roles as they are when it runs. Each
 * person's signal has a dedupe key from this job, so a job run again (a node stopped half-way)
 * signals nobody twice.
 */
export function claimsChangeAnnouncementHandler(deps: { store: Store; issuer: string; signals: SecuritySignals }): JobHandler {
  return {
    kind: CLAIMS_CHANGE_JOB,
    async run(job) {
      const { accountIds, txn, reason } = payloadOf(job, claimsChange, 'a change of groups or roles');
      for (const accountId of accountIds) {
        if (job.signal.aborted) throw new Error('the node is stopping; the rest of the batch runs again elsewhere');
        const access = await effectiveAccessOfAccount(deps.store, deps.issuer, accountId);
        await deps.signals.tokenClaimsChanged(
          accountId,
          { groups: access.groups, roles: access.roles.map((role) => role.name) },
          { txn, reason, dedupeKey: `${job.id}:${accountId}` },
        );
      }
    },
  };
}
