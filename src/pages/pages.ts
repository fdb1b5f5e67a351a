import type { Context } from 'koa';
import { compileFile, type compileTemplate, type Options } from 'pug';
import type { ContentSecurityPolicy } from '../http/content-security-policy.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { textDirection } from '../i18n/text-direction.ts';
import type { Brand } from './branding.ts';
import { hostOf } from './client-view.ts';
import { errorKindOf, type ErrorKind } from './error-kinds.ts';
import { languageChoices, type LanguageChoice } from './language-choices.ts';
import type { LayeredViews } from './layered-views.ts';

export interface PagesOptions {
  views: LayeredViews;
  brand: Brand;
  csp: ContentSecurityPolicy;
  /** Shows the getting-started panel on the start page. */
  development: boolean;
  /** The shipped locales, offered by the language picker on every page. */
  locales?: readonly string[];
}

export interface RenderOptions {
  status?: number;
  /** https origins this page shows images from (a client's registered logo). */
  imageOrigins?: string[];
}

/** A link Keyline knows is safe: a client's registered home page, never a redirect_uri from the request. */
export interface SafeLink {
  href: string;
  label: string;
  /** Where it leads, shown beside it: the label carries a name the client's registrant chose. */
  host?: string;
}

export interface ErrorPage {
  status: number;
  /** The OAuth-style code: logged with the request, shown only as a technical detail. */
  code: string;
  /** Developer-facing text (oidc-provider's error_description); decides the kind, never shown. */
  description?: string;
  /** The client the request came from, when Keyline knows it, for a link back to its home page. */
  client?: { name: string; homeUri?: string };
  /** The page to show, when the code alone does not tell. */
  kind?: ErrorKind;
  /**
   * The sign-in this error interrupted, still open (an upstream step failed): the way out is back
   * to its login page, or cancelling it, which answers the app with access_denied.
   */
  signIn?: { uid: string; csrfToken: string };
}

type PageContext = Context & { state: KeylineState };

/**
 * Where the language picker sends a person back to: this page, or for a page a form's POST drew,
 * the page to GET instead (an interaction's current step; the form's own page otherwise).
 */
function returnPathOf(ctx: PageContext): string {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return ctx.originalUrl;
  return ctx.state.interaction ? `/interaction/${ctx.state.interaction.uid}` : ctx.path;
}

/**
 * Compiles each template found in the views folders once (all of them at server start), and renders pages with the
 * one context every page gets: `t` (the request's message lookup, `{{product}}` filled in),
 * `lang`, `dir` (from the locale), `brand`, `cspNonce` and `requestId`. A page added later gets all of it by being a file.
 */
export class Pages {
  readonly #templates = new Map<string, compileTemplate>();
  readonly #brand: Brand;
  readonly #csp: ContentSecurityPolicy;
  readonly #development: boolean;
  readonly #views: LayeredViews;
  readonly #names: Set<string>;
  readonly #languages: LanguageChoice[];

  constructor({ views, brand, csp, development, locales = [] }: PagesOptions) {
    this.#languages = languageChoices(locales);
    this.#views = views;
    this.#brand = brand;
    this.#csp = csp;
    this.#development = development;
    this.#names = new Set(views.pageNames());
    for (const required of ['login', 'consent', 'logout', 'logged-out', 'error', 'start']) {
      if (!this.#names.has(required)) throw new Error(`views: no ${required}.pug in ${views.roots.join(' or ')}`);
    }
  }

  /** A local, non-production server: the start page's getting-started panel shows. */
  get development(): boolean {
    return this.#development;
  }

  /** Compiles every template now, so a broken theme stops the server at start, not at the first visitor. */
  compileAll(): void {
    for (const name of this.#names) this.#template(name);
  }

  #template(name: string): compileTemplate {
    let template = this.#templates.get(name);
    if (!template) {
      if (!this.#names.has(name)) throw new Error(`no page template "${name}"`);
      // @types/pug lacks `plugins`, which pug supports (its resolve hook is how a theme overrides includes).
      // `doctype: 'html'` for every node: mixins are compiled before the layout's doctype is seen,
      // and would otherwise write XHTML (`hidden="hidden"`, `/>`) inside an HTML page.
      template = compileFile(this.#views.find(name), { plugins: [this.#views.pugPlugin()], doctype: 'html' } as Options);
      this.#templates.set(name, template);
    }
    return template;
  }

  /** Writes an HTML page, never cached. */
  render(ctx: PageContext, name: string, locals: Record<string, unknown> = {}, options: RenderOptions = {}): void {
    const template = this.#template(name);
    ctx.status = options.status ?? 200;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    if (options.imageOrigins?.length) {
      ctx.set('Content-Security-Policy', this.#csp.header(ctx.state.cspNonce, options.imageOrigins));
    }
    ctx.body = template({
      ...locals,
      t: ctx.state.t,
      lang: ctx.state.locale,
      dir: textDirection(ctx.state.locale),
      brand: this.#brand,
      cspNonce: ctx.state.cspNonce,
      requestId: ctx.state.requestId,
      development: this.#development,
      // One name of its own, so no page's locals (a profile's `languages`, a form's `returnTo`) are overwritten.
      languagePicker: { languages: this.#languages, returnTo: returnPathOf(ctx) },
    });
  }

  /** A friendly error page whose reference (the request id) is in that request's log line with the code. */
  renderError(ctx: PageContext, error: ErrorPage): void {
    ctx.state.errorCode = error.code;
    const kind = error.kind ?? errorKindOf(error.status, error.code, error.description);
    const t = ctx.state.t;
    const backLink: SafeLink | undefined = error.client?.homeUri
      ? { href: error.client.homeUri, label: t('errors.backTo', { client: error.client.name }), host: hostOf(error.client.homeUri) }
      : undefined;
    // showHome stays for themes that copied the old error.pug: every page without a way back now has one.
    const signIn = error.signIn && { href: `/interaction/${error.signIn.uid}`, abortAction: `/interaction/${error.signIn.uid}/abort`, csrfToken: error.signIn.csrfToken };
    this.render(ctx, 'error', { kind, code: error.code, backLink, showHome: !backLink && !signIn, signIn }, { status: error.status });
  }
}
