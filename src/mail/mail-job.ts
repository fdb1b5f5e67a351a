import { z } from 'zod';
import type { Outbox } from '../jobs/outbox.ts';
import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import { MAIL_TEMPLATES, type MailTemplate } from './mail-renderer.ts';

export const MAIL_JOB = 'mail';

/** What a mail job holds: never the link in the clear (it is a bearer secret), only sealed. */
export const mailJobPayload = z.object({
  to: z.string().min(3),
  template: z.enum(MAIL_TEMPLATES),
  locale: z.string().min(2),
  name: z.string().nullable(),
  sealedLink: z.string().min(1),
  /** How long the link works, for "the link works for N minutes". */
  linkTtlSeconds: z.number().int().positive().optional(),
  /** When the thing the mail is about happened (ISO 8601), for "your password was changed on ...". */
  at: z.string().optional(),
});
export type MailJobPayload = z.infer<typeof mailJobPayload>;

export interface MailMessage {
  template: MailTemplate;
  to: string;
  locale: string;
  name: string | null;
  /** The link the message is for; sealed before it reaches the store. */
  link: string;
  linkTtlSeconds?: number;
}

/** The associated data of a sealed link: it opens only in a job for the same recipient and message. */
export function mailLinkLabel(to: string, template: MailTemplate): string {
  return `mail-link:${template}:${to}`;
}

/**
 * How Keyline sends mail: one job in the outbox per message (a request never waits for SMTP), with
 * the link sealed under the secrets key. A node's JobRunner renders and sends it, retrying with backoff.
 */
export class Mailer {
  readonly #outbox: Outbox;
  readonly #sealer: SecretSealer;

  constructor(outbox: Outbox, sealer: SecretSealer) {
    this.#outbox = outbox;
    this.#sealer = sealer;
  }

  async send(message: MailMessage): Promise<void> {
    const payload: MailJobPayload = {
      to: message.to,
      template: message.template,
      locale: message.locale,
      name: message.name,
      sealedLink: this.#sealer.encrypt(message.link, mailLinkLabel(message.to, message.template)),
      ...(message.linkTtlSeconds ? { linkTtlSeconds: message.linkTtlSeconds } : {}),
      at: new Date().toISOString(),
    };
    await this.#outbox.enqueue(MAIL_JOB, payload, { maxAttempts: MAIL_ATTEMPTS });
  }
}

/**
 * A few tries over about a quarter of an hour with the default backoff (5 s, 10 s, 20 s, 40 s,
 * 80 s...): a reset link lives 30 minutes, so a mail later than that is useless.
 */
export const MAIL_ATTEMPTS = 6;
