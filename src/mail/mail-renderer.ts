import { compileFile, type compileTemplate, type Options } from 'pug';
import type { I18n } from '../i18n/i18n.ts';
import { supportedFor } from '../i18n/negotiate-locale.ts';
import { textDirection } from '../i18n/text-direction.ts';
import type { LayeredViews } from '../pages/layered-views.ts';
import type { OutgoingMail } from './mail-transport.ts';

/** The messages Keyline sends; each is `views/mail/<name>.html.pug` and `<name>.text.pug`, subject `mail.<name>.subject`. */
export const MAIL_TEMPLATES = ['verify-email', 'reset-password', 'already-registered', 'password-changed'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

export interface MailBrand {
  productName: string;
  primaryColor: string;
  /** Text on the primary colour: dark or light, whichever reads. */
  onPrimaryColor: string;
  /** Where "the sign-in page" is for people reading the mail. */
  issuer: string;
}

/**
 * Renders a message in the recipient's language with the one i18n lookup and the brand, from
 * templates an operator's theme folder can replace (as pages): an HTML part and a plain-text part.
 */
export class MailRenderer {
  readonly #views: LayeredViews;
  readonly #i18n: I18n;
  readonly #brand: MailBrand;
  readonly #templates = new Map<string, compileTemplate>();

  constructor(views: LayeredViews, i18n: I18n, brand: MailBrand) {
    this.#views = views;
    this.#i18n = i18n;
    this.#brand = brand;
  }

  /** Compiles every message now, so a broken template stops the server at start. */
  compileAll(): void {
    for (const name of MAIL_TEMPLATES) for (const part of ['html', 'text']) this.#template(`${name}.${part}`);
  }

  #template(file: string): compileTemplate {
    let template = this.#templates.get(file);
    if (!template) {
      template = compileFile(this.#views.find(`mail/${file}.pug`), { plugins: [this.#views.pugPlugin()] } as Options);
      this.#templates.set(file, template);
    }
    return template;
  }

  render(name: MailTemplate, to: string, locale: string, locals: Record<string, unknown>): OutgoingMail {
    // The recipient's stored locale may be a tag Keyline has only a neighbour of (pt-PT → pt-BR).
    const chosen = supportedFor(locale, this.#i18n.locales) ?? this.#i18n.defaultLocale;
    const t = this.#i18n.translator(chosen);
    const context = { ...locals, t, lang: chosen, dir: textDirection(chosen), brand: this.#brand };
    return {
      to,
      subject: t(`mail.${name}.subject`),
      html: this.#template(`${name}.html`)(context),
      text: this.#template(`${name}.text`)(context),
    };
  }
}
