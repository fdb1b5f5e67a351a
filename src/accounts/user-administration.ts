import { randomUUID } from 'node:crypto';
import { changedFields, type AuditedRunner } from '../audit/audited-change.ts';
import { changeAttributes, newAttributes, type AttributeChange } from '../authorization/attributes.ts';
import type { AttributeDeclaration } from '../config/schema.ts';
import { DuplicateError, NotFoundError } from '../store/store-errors.ts';
import type { AccountRecord } from '../store/store.ts';
import { AccountError } from './account-errors.ts';
import { accountView, changeableFields } from './account-view.ts';
import type { AccountsService, NewAccountDetails, RemovalCounts } from './accounts-service.ts';
import { normalizeEmail } from './accounts-service.ts';
import { passwordProblem } from './password-policy.ts';
import type { ProfileChange } from './profile-claims.ts';
import type { InitiatingEntity } from '../signals/security-signals.ts';

/**
 * What an administrator does to users, from the CLI or the admin API alike: each change is checked
 * first, then recorded in the audit trail (with what changed, never a password), then made.
 */
export interface UserAdministration {
  accounts: AccountsService;
  audited: AuditedRunner;
  /** The operator's custom attributes (config `attributes:`); without them, every attribute is refused as unknown. */
  attributes?: readonly AttributeDeclaration[];
}

export interface NewUser extends Omit<NewAccountDetails, 'attributes'> {
  email: string;
  password: string;
  name?: string | null;
  /** Checked against the declarations; every required attribute must be given. */
  attributes?: AttributeChange;
}

export interface UserChanges {
  name?: string | null;
  profile?: ProfileChange;
  disabled?: boolean;
  /** A value sets an attribute, null removes it; those not named stay. */
  attributes?: AttributeChange;
}

const about = (account: AccountRecord) => ({ accountId: account.id, email: account.email });

export async function requireUserById(accounts: AccountsService, id: string): Promise<AccountRecord> {
  const account = await accounts.findById(id);
  if (!account) throw new NotFoundError('user', id);
  return account;
}

export async function createUser({ accounts, audited, attributes: declarations = [] }: UserAdministration, user: NewUser): Promise<AccountRecord> {
  const email = normalizeEmail(user.email);
  const attributes = newAttributes(declarations, user.attributes);
  const profile = accounts.checkNewAccount(email, user.password, { ...user, attributes });
  // Checked before the event is recorded, so a refusal leaves no claim of a change; the store still decides a race.
  if (await accounts.findByEmail(email)) throw new DuplicateError('account', 'email', email);
  const id = randomUUID();
  const name = user.name?.trim() || null;
  return audited(
    {
      type: 'user.created', accountId: id, email,
      data: { after: { email, name, emailVerified: user.emailVerified === true, ...profile, ...(Object.keys(attributes).length ? { attributes } : {}) } },
    },
    () => accounts.create(email, user.password, name, id, { ...user, attributes }),
  );
}

/**
 * Changes the name, the standard claims, the custom attributes and whether the account is
 * disabled. A profile change, an attribute change and a disable are separate events (`user.updated`
 * twice, `user.disabled`/`user.enabled`), as the CLI's verbs always recorded them; disabling also
 * ends every session and grant. Every value is checked before anything is changed.
 */
export async function updateUser(
  { accounts, audited, attributes: declarations = [] }: UserAdministration, account: AccountRecord, changes: UserChanges,
): Promise<AccountRecord> {
  let current = account;
  const attributes = changes.attributes && changeAttributes(declarations, account.attributes, changes.attributes);
  if (changes.name !== undefined || changes.profile !== undefined) accounts.previewProfile(current, { ...changes.profile, name: changes.name });
  if (changes.name !== undefined || changes.profile !== undefined) {
    const change = { ...changes.profile, name: changes.name };
    const { before, after } = changedFields(changeableFields(current), changeableFields(accounts.previewProfile(current, change)));
    if (Object.keys(after).length > 0) {
      current = await audited({ type: 'user.updated', ...about(current), data: { before, after } }, () => accounts.updateProfile(current.email, change));
    }
  }
  if (attributes) {
    const { before, after } = changedFields(current.attributes ?? {}, attributes);
    if (Object.keys(after).length > 0) {
      const id = current.id;
      const change = changes.attributes!;
      current = await audited({ type: 'user.updated', ...about(current), data: { before: { attributes: before }, after: { attributes: after } } },
        () => accounts.changeAttributes(id, (now) => changeAttributes(declarations, now, change)));
    }
  }
  if (changes.disabled !== undefined && changes.disabled !== current.disabled) {
    const disabled = changes.disabled;
    current = await audited({
      type: disabled ? 'user.disabled' : 'user.enabled', ...about(current),
      data: { before: { disabled: current.disabled }, after: { disabled }, ...(disabled ? { sessionsRevoked: true } : {}) },
    }, () => accounts.setDisabled(current.email, disabled));
  }
  return current;
}

export async function setUserPassword({ accounts, audited }: UserAdministration, account: AccountRecord, password: string): Promise<AccountRecord> {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError(problem, { fields: ['password'] });
  return audited({ type: 'user.password_changed', ...about(account), data: { sessionsRevoked: true } },
    () => accounts.setPassword(account.email, password));
}

/** An administrator vouches for the address. */
export async function verifyUserEmail({ accounts, audited }: UserAdministration, account: AccountRecord): Promise<AccountRecord> {
  if (account.emailVerified) return account;
  return audited({ type: 'user.email_verified', ...about(account), data: { before: { emailVerified: false }, after: { emailVerified: true } } },
    () => accounts.markEmailVerified(account.email));
}

/** Works for an address without an account too (throttling counts what was typed), so it never reveals one. */
export async function unlockUser({ accounts, audited }: UserAdministration, email: string): Promise<void> {
  const subject = normalizeEmail(email);
  const existing = await accounts.findByEmail(subject);
  await audited({ type: 'user.unlocked', email: subject, ...(existing ? { accountId: existing.id } : {}) }, () => accounts.unlock(subject));
}

/**
 * THE removal of an account: an administrator's (CLI, admin API) and the person's own ("Delete my
 * account", initiator `user`) alike, so both end every session and tell the same clients.
 */
export async function removeUser({ accounts, audited }: UserAdministration, account: AccountRecord, initiator: InitiatingEntity = 'admin'): Promise<RemovalCounts> {
  const { factors, recoveryCodesUnused } = await accounts.secondFactors(account.id);
  const { id: _id, createdAt: _created, updatedAt: _updated, ...before } = accountView(account);
  return audited({
    type: 'user.removed', ...about(account),
    data: { before, factorsRemoved: factors.map(({ type, name }) => ({ type, name })), recoveryCodesRemoved: recoveryCodesUnused, sessionsRevoked: true },
  }, () => accounts.remove(account.email, initiator));
}

/** Removes every second factor and recovery code, and signs the user out everywhere. */
export async function resetUserSecondFactors({ accounts, audited }: UserAdministration, account: AccountRecord): Promise<RemovalCounts> {
  const { factors, recoveryCodesUnused } = await accounts.secondFactors(account.id);
  return audited({
    type: 'user.mfa_reset', ...about(account),
    data: { factorsRemoved: factors.map(({ type, name }) => ({ type, name })), recoveryCodesRemoved: recoveryCodesUnused, sessionsRevoked: true },
  }, () => accounts.resetSecondFactors(account.email));
}

/** Signs the user out everywhere: every session, grant and token. Returns how many records went. */
export async function revokeUserSessions({ accounts, audited }: UserAdministration, account: AccountRecord): Promise<number> {
  return audited({ type: 'sessions.revoked', ...about(account), data: { scope: 'everywhere' } }, () => accounts.signOutEverywhere(account.id));
}

/** Ends one session and what was granted through it; false when the user has no live session with that uid. */
export async function revokeUserSession({ accounts, audited }: UserAdministration, account: AccountRecord, sessionUid: string): Promise<boolean> {
  const sessions = await accounts.listSessions(account.id);
  if (!sessions.some((session) => session.uid === sessionUid)) return false;
  return audited({ type: 'session.revoked', ...about(account), data: { sessionUid } }, () => accounts.endSession(account.id, sessionUid));
}
