import { requireUserById } from '../accounts/user-administration.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { ProblemError } from './problem.ts';
import { userPathSchema } from './schemas/user-schemas.ts';

/** The help desk sends a reset link to the person's own address: the same mail as "Forgot password?", never a link in the answer. */
export function passwordResetOperations({ accounts, passwordReset, defaultLocale }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'sendPasswordResetLink', method: 'post', path: '/users/{id}/password-reset',
      summary: 'Mail the user a single-use password-reset link (ttl.resetLink) at their address; completing it signs them out everywhere',
      access: 'write', helpdesk: true,
      description: 'The link goes to the user\'s own address only; it is never part of the answer. Needs mail (409 without an SMTP server).',
      params: userPathSchema,
      success: { status: 204, description: 'The mail is on its way (through the outbox)' },
      problems: [404, 409],
      async handle({ params, audited }) {
        const account = await requireUserById(accounts, params.id);
        if (!passwordReset) throw new ProblemError(409, 'mail_not_configured', 'Keyline has no SMTP server configured, so it cannot mail a reset link; `keyline users reset-link` prints one to hand over');
        if (account.disabled) throw new ProblemError(409, 'user_disabled', 'the user is disabled: a reset link would not work; enable them first');
        await audited({ type: 'password.reset_link_sent', accountId: account.id, email: account.email },
          () => passwordReset.sendLink(account, { locale: account.profile.locale ?? defaultLocale }));
        return {};
      },
    }),
  ];
}
