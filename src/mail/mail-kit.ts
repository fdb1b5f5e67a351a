import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import type { Config } from '../config/schema.ts';
import type { I18n } from '../i18n/i18n.ts';
import type { JobHandler } from '../jobs/job-handler.ts';
import type { Outbox } from '../jobs/outbox.ts';
import { readableOn } from '../pages/colour-contrast.ts';
import type { LayeredViews } from '../pages/layered-views.ts';
import { mailDeliveryHandler } from './mail-delivery.ts';
import { Mailer } from './mail-job.ts';
import { MailRenderer } from './mail-renderer.ts';
import { createMailTransport } from './mail-transport.ts';

export interface MailKit {
  /** Enqueues messages (requests use only this). */
  mailer: Mailer;
  /** Delivers them, on whichever node claims the job. */
  handler: JobHandler;
}

/** Mail, when `mail.smtp` is configured: the templates compiled now (a broken one stops the start), the transport, the outbox's handler. */
export function createMailKit(deps: { config: Config; views: LayeredViews; i18n: I18n; outbox: Outbox; sealer: SecretSealer }): MailKit | undefined {
  const { config } = deps;
  const transport = createMailTransport(config);
  if (!transport) return undefined;
  const renderer = new MailRenderer(deps.views, deps.i18n, {
    productName: config.branding.productName,
    primaryColor: config.branding.primaryColor,
    onPrimaryColor: readableOn(config.branding.primaryColor),
    issuer: config.issuer,
  });
  renderer.compileAll();
  return { mailer: new Mailer(deps.outbox, deps.sealer), handler: mailDeliveryHandler({ renderer, transport, sealer: deps.sealer }) };
}
