import { payloadOf, PermanentJobError, type JobHandler } from '../jobs/job-handler.ts';
import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import { MAIL_JOB, mailJobPayload, mailLinkLabel } from './mail-job.ts';
import type { MailRenderer } from './mail-renderer.ts';
import { SmtpRefusal, type MailTransport } from './mail-transport.ts';

function formatWhen(at: string | undefined, locale: string): string {
  const date = at ? new Date(at) : new Date();
  try {
    return `${new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
  } catch {
    return date.toISOString();
  }
}

/**
 * Delivers one `mail` job: opens the sealed link, renders the message in the recipient's language,
 * and hands it to the SMTP transport (whose connect and socket timeouts bound the attempt). A 5xx
 * refusal is permanent; anything else is retried by the runner with backoff. The error that reaches
 * the job record and the log is the transport's one-line reason: never the body, never the link.
 */
export function mailDeliveryHandler(deps: { renderer: MailRenderer; transport: MailTransport; sealer: SecretSealer }): JobHandler {
  return {
    kind: MAIL_JOB,
    async run(job) {
      const mail = payloadOf(job, mailJobPayload, 'a mail message');
      let link: string;
      try {
        link = deps.sealer.decrypt(mail.sealedLink, mailLinkLabel(mail.to, mail.template));
      } catch (error) {
        throw new PermanentJobError(`the message's link cannot be opened: ${(error as Error).message}`);
      }
      const ttl = mail.linkTtlSeconds ?? 0;
      const message = deps.renderer.render(mail.template, mail.to, mail.locale, {
        name: mail.name,
        link,
        resetLink: link,
        minutes: Math.max(1, Math.round(ttl / 60)),
        hours: Math.max(1, Math.round(ttl / 3600)),
        when: formatWhen(mail.at, mail.locale),
      });
      try {
        await deps.transport.send(message);
      } catch (error) {
        if (error instanceof SmtpRefusal) throw new PermanentJobError(`the mail server refused the ${mail.template} message: ${error.message}`);
        throw new Error(`the ${mail.template} message could not be sent through ${deps.transport.server}: ${(error as Error).message}`);
      }
    },
  };
}
