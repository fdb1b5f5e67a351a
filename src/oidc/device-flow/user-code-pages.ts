import type { Context } from 'koa';
import { errors, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import {
  AbortedError, AlreadyUsedError, ExpiredError, NoCodeError, NotFoundError, type ReRenderError,
} from 'oidc-provider/lib/helpers/re_render_errors.js';
import { denormalize, normalize } from 'oidc-provider/lib/helpers/user_codes.js';
import type { KeylineState } from '../../http/keyline-state.ts';
import { formatWait } from '../../i18n/format-wait.ts';
import { clientView, hostOf, logoOrigins } from '../../pages/client-view.ts';
import type { Pages } from '../../pages/pages.ts';
import { isOpen, UserCodeGuessesThrottled, type DeviceCodeLike } from './guard-user-code-lookups.ts';
import { prefilledUserCode, VERIFICATION_PATH } from './prefilled-user-code.ts';

/** Why the user-code page is shown again; each has a sentence in the catalogues (`device.error.*`). */
export const USER_CODE_ERRORS = ['not_found', 'expired', 'used', 'missing', 'throttled', 'form_expired'] as const;
export type UserCodeError = (typeof USER_CODE_ERRORS)[number];

const STATUS: Record<UserCodeError, number> = { not_found: 400, expired: 400, used: 400, missing: 400, throttled: 429, form_expired: 403 };

type DeviceContext = KoaContextWithOIDC & Context & { state: KeylineState };
type ClientLike = Parameters<typeof clientView>[0];

interface UserCodePageState {
  error?: UserCodeError;
  /** What the person typed, kept in the field so a typo can be fixed. */
  typed?: string;
  retryAfterSeconds?: number;
}

/** The RFC 8628 pages: enter the code, confirm it, and "you can return to your device". */
export class DeviceFlowPages {
  readonly #pages: Pages;
  readonly #mask: string;

  constructor(pages: Pages, mask: string) {
    this.#pages = pages;
    this.#mask = mask;
  }

  /** oidc-provider's `userCodeInputSource`: the empty form, a link's code to confirm, or the form again with what went wrong. */
  async input(ctx: DeviceContext, _form: string, out?: ErrorOut, err?: Error): Promise<void> {
    if (err) {
      await this.#failed(ctx, out, err);
      return;
    }
    const linked = prefilledUserCode(ctx);
    if (linked) {
      await this.#confirmLinked(ctx, linked);
      return;
    }
    this.#form(ctx, {});
  }

  /** oidc-provider's `userCodeConfirmSource`: whose device, and the code to compare with the device's screen. */
  async confirm(ctx: DeviceContext, _form: string, client: ClientLike, _deviceInfo: unknown, userCode: string): Promise<void> {
    const shown = clientView(client);
    this.#pages.render(ctx, 'device-confirm', {
      action: VERIFICATION_PATH, xsrf: xsrfOf(ctx), userCode, client: shown, hostOf,
    }, { imageOrigins: logoOrigins(shown) });
  }

  /** oidc-provider's `successSource`. */
  async success(ctx: DeviceContext): Promise<void> {
    this.#pages.render(ctx, 'device-done', { outcome: 'connected', client: clientView(ctx.oidc.client) });
  }

  /** A link carried the code: look it up (counted like a typed one) and go straight to the confirm step. */
  async #confirmLinked(ctx: DeviceContext, linked: string): Promise<void> {
    const normalized = normalize(linked);
    const code = normalized
      ? await ctx.oidc.provider.DeviceCode.findByUserCode(normalized, { ignoreExpiration: true }) as DeviceCodeLike | undefined
      : undefined;
    const client = code && await ctx.oidc.provider.Client.find(code.clientId);
    if (!code || !client) {
      this.#form(ctx, { error: 'not_found', typed: linked });
    } else if (!isOpen(code)) {
      this.#form(ctx, { error: code.isExpired ? 'expired' : 'used' });
    } else {
      await this.confirm(ctx, '', client, undefined, denormalize(normalized, this.#mask));
    }
  }

  async #failed(ctx: DeviceContext, out: ErrorOut | undefined, err: Error): Promise<void> {
    const sessionSaved = sessionPersisted(ctx);
    // oidc-provider's error handler gives the browser a new form token in its session; a session
    // created by this very request was never saved, and the library fails to save it that late.
    if (!sessionSaved) (ctx.oidc.session as { touched?: boolean }).touched = false;
    if (err instanceof AbortedError) {
      this.#pages.render(ctx, 'device-done', { outcome: 'cancelled', client: clientView(await deviceClientOf(ctx)) });
      return;
    }
    const error = userCodeErrorOf(err, out);
    if (error && !sessionSaved) {
      const typed = (ctx.oidc.params as Record<string, unknown> | undefined)?.user_code;
      this.#startAgain(ctx, typeof typed === 'string' ? typed : undefined);
      return;
    }
    if (error) {
      this.#form(ctx, {
        error,
        typed: error === 'not_found' ? (err as ReRenderError).userCode : undefined,
        retryAfterSeconds: err instanceof UserCodeGuessesThrottled ? err.retryAfterSeconds : undefined,
      });
      return;
    }
    // Anything else (a sign-in that expired, the device's client gone, the store down) gets the error page every flow uses.
    this.#pages.renderError(ctx, {
      status: ctx.status >= 400 ? ctx.status : 400,
      code: String(out?.error ?? 'server_error'),
      description: out?.error_description === undefined ? undefined : String(out.error_description),
      kind: err instanceof errors.SessionNotFound ? 'expired' : undefined,
    });
  }

  /**
   * A form posted by a browser without a session here (its cookie was lost, or it expired) cannot
   * get a working token on this answer (see #failed). It starts again at the page instead, keeping
   * the code, which then goes through the confirm step.
   */
  #startAgain(ctx: DeviceContext, typed: string | undefined): void {
    ctx.state.errorCode = 'user_code_form_expired';
    ctx.status = 303;
    ctx.redirect(typed ? `${VERIFICATION_PATH}?${new URLSearchParams({ user_code: typed })}` : VERIFICATION_PATH);
  }

  #form(ctx: DeviceContext, { error, typed, retryAfterSeconds }: UserCodePageState): void {
    if (error) ctx.state.errorCode = `user_code_${error}`;
    if (retryAfterSeconds !== undefined) ctx.set('Retry-After', String(retryAfterSeconds));
    this.#pages.render(ctx, 'device-code', {
      action: VERIFICATION_PATH,
      xsrf: xsrfOf(ctx),
      userCode: typed ?? '',
      error,
      retryAfterSeconds,
      waitText: retryAfterSeconds === undefined ? undefined : formatWait(ctx.state.locale, retryAfterSeconds),
    }, { status: error ? STATUS[error] : 200 });
  }
}

function userCodeErrorOf(err: Error, out: ErrorOut | undefined): UserCodeError | undefined {
  if (err instanceof NotFoundError) return 'not_found';
  if (err instanceof ExpiredError) return 'expired';
  if (err instanceof AlreadyUsedError) return 'used';
  if (err instanceof NoCodeError) return 'missing';
  if (err instanceof UserCodeGuessesThrottled) return 'throttled';
  // oidc-provider's own CSRF check of the form (its token lives in the browser's session).
  if (out?.error === 'invalid_request' && /xsrf|device form details/.test(String(out.error_description ?? ''))) return 'form_expired';
  return undefined;
}

/** The device's app, also where oidc-provider stopped before it loaded the client (a cancel, a denial). */
async function deviceClientOf(ctx: KoaContextWithOIDC): Promise<ClientLike> {
  if (ctx.oidc.client) return ctx.oidc.client;
  const entities = ctx.oidc.entities as { DeviceCode?: { clientId?: unknown }; Interaction?: { params?: { client_id?: unknown } } };
  const clientId = entities.DeviceCode?.clientId ?? entities.Interaction?.params?.client_id;
  return typeof clientId === 'string' ? await ctx.oidc.provider.Client.find(clientId) : undefined;
}

function sessionPersisted(ctx: KoaContextWithOIDC): boolean {
  return typeof (ctx.oidc.session as { exp?: unknown } | undefined)?.exp === 'number';
}

/** The CSRF token oidc-provider keeps in the browser's session for the user-code forms. */
function xsrfOf(ctx: KoaContextWithOIDC): string {
  return String((ctx.oidc.session?.state as { secret?: unknown } | undefined)?.secret ?? '');
}
