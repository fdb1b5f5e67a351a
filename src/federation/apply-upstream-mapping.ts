import { AccountError } from '../accounts/account-errors.ts';
import type { ProfileChange } from '../accounts/profile-claims.ts';
import { auditedChange } from '../audit/audited-change.ts';
import { AttributeError, changeAttributes } from '../authorization/attributes.ts';
import { addGroupMember, removeGroupMember, type AuthorizationAdministration } from '../authorization/authorization-administration.ts';
import { Outbox } from '../jobs/outbox.ts';
import type { Logger } from '../logger.ts';
import type { InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { SecuritySignals } from '../signals/security-signals.ts';
import type { AccountRecord, UpstreamRecord } from '../store/store.ts';
import type { MappedIdentity } from './upstream.ts';

/**
 * Writes what the upstream's mapping gave onto the account: profile fields, custom attributes (each
 * checked against its declaration) and the groups its rules govern. A group named in a rule is the
 * upstream's to decide: the person is added when the rule matches and, at a later sync, removed
 * when none of the rules for that group matches any more. Memberships change through the one
 * authorization administration (audited as the upstream, announced as CAEP token-claims-change).
 * A value the account cannot take (a malformed URL, an undeclared attribute) is logged and skipped:
 * the sign-in does not fail because an upstream's profile is untidy.
 */
export async function applyUpstreamMapping(
  deps: InteractionDeps, upstream: UpstreamRecord, account: AccountRecord, mapped: MappedIdentity, log: Logger,
): Promise<void> {
  const { name, ...text } = mapped.profile as Record<string, string>;
  if (name !== undefined || Object.keys(text).length) {
    try {
      await deps.accounts.updateProfile(account.email, { ...(name !== undefined ? { name } : {}), text: text as ProfileChange['text'] });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      log.warn({ upstream: upstream.id, accountId: account.id, problem: error.message }, 'upstream profile claims not applied');
    }
  }
  if (Object.keys(mapped.attributes).length) {
    try {
      await deps.accounts.changeAttributes(account.id, (current) => changeAttributes(deps.declarations?.attributes ?? [], current, mapped.attributes));
    } catch (error) {
      if (!(error instanceof AttributeError)) throw error;
      log.warn({ upstream: upstream.id, accountId: account.id, problem: error.message }, 'upstream attributes not applied');
    }
  }
  const governed = [...new Set(upstream.mapping.groups.map((rule) => rule.group))];
  if (!governed.length) return;
  const admin: AuthorizationAdministration = {
    store: deps.store, issuer: deps.federation.issuer, resources: deps.resources,
    audited: (event, change) => auditedChange(deps.securityEvents, { ...event, actor: `upstream:${upstream.id}` }, change),
    signals: new SecuritySignals(new Outbox(deps.store.jobs)),
  };
  for (const groupName of governed) {
    const group = await deps.store.groups.findByName(groupName);
    if (!group) {
      log.warn({ upstream: upstream.id, group: groupName }, 'upstream group mapping names a group that does not exist');
      continue;
    }
    await (mapped.groups.includes(groupName) ? addGroupMember(admin, group, account) : removeGroupMember(admin, group, account));
  }
}
