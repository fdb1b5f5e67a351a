import { join } from 'node:path';
import { compileFile, type compileTemplate } from 'pug';
import type { Context } from 'koa';

export type PageName = 'login' | 'consent' | 'logout' | 'logged-out' | 'still-signed-in' | 'error';

/** Compiles every view once at start-up; rendering is then a plain function call. */
export class Pages {
  readonly #templates = new Map<PageName, compileTemplate>();

  constructor(viewsDirectory: string) {
    for (const name of ['login', 'consent', 'logout', 'logged-out', 'still-signed-in', 'error'] as const) {
      this.#templates.set(name, compileFile(join(viewsDirectory, `${name}.pug`)));
    }
  }

  /** Writes an HTML page. The CSP nonce comes from the security-headers middleware. */
  render(ctx: Context, name: PageName, title: string, locals: Record<string, unknown> = {}, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = this.#templates.get(name)!({ ...locals, title, cspNonce: ctx.state.cspNonce });
  }

  renderError(ctx: Context, status: number, message: string, code?: string): void {
    this.render(ctx, 'error', 'Error', { message, code, requestId: ctx.state.requestId }, status);
  }
}
