import { formatWait } from '../../i18n/format-wait.ts';
import { clientView } from '../../pages/client-view.ts';
import { csrfTokenFor } from '../../oidc/interactions/csrf-token.ts';
import type { InteractionContext, InteractionDeps } from '../../oidc/interactions/interaction-context.ts';
import type { UpstreamRecord } from '../../store/store.ts';

export type DirectoryLoginError = 'invalid_credentials' | 'throttled' | 'unavailable';

export interface DirectoryLoginState {
  username?: string;
  error?: DirectoryLoginError;
  retryAfterSeconds?: number;
  status?: number;
}

/** Keyline's own page for a directory (LDAP/AD) upstream: its name, user name and password, and the way back. */
export async function renderDirectoryLogin(
  deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, { username = '', error, retryAfterSeconds, status = 200 }: DirectoryLoginState = {},
): Promise<void> {
  const interaction = ctx.state.interaction!;
  deps.pages.render(ctx, 'directory-login', {
    uid: interaction.uid,
    csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
    client: clientView(await deps.provider.Client.find(String(interaction.params.client_id))),
    upstream: { id: upstream.id, name: upstream.name },
    username,
    error,
    retryAfterSeconds,
    waitText: retryAfterSeconds === undefined ? undefined : formatWait(ctx.state.locale, retryAfterSeconds),
  }, { status });
}
