import type { InteractionContext, InteractionDeps } from '../../oidc/interactions/interaction-context.ts';
import { passwordStepUpstream } from './password-step-upstream.ts';
import { renderDirectoryLogin } from './render-directory-login.ts';

/** GET /interaction/:uid/upstream/:id: where startUpstreamStep sends a password upstream (with the typed address as login_hint). */
export function showDirectoryLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const upstream = await passwordStepUpstream(deps, ctx);
    const hint = typeof ctx.query.login_hint === 'string' ? ctx.query.login_hint.slice(0, 320) : '';
    await renderDirectoryLogin(deps, ctx, upstream, { username: hint });
  };
}
