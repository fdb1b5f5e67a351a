import type { InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { NO_LOCAL_LOGIN, UPSTREAMS } from '../oidc/keyline-client-metadata.ts';
import type { UpstreamRecord } from '../store/store.ts';

interface ClientLike {
  metadata(): Record<string, unknown>;
}

export interface SignInChoices {
  /** The enabled upstreams the client offers (its --upstreams, in that order; every enabled one when it names none). */
  upstreams: UpstreamRecord[];
  /** `--no-local-login`: no password, no passkey, no sign-up or reset on Keyline's own page. */
  localLogin: boolean;
}

/** The client's --upstreams, in its order; undefined when it names none (every enabled upstream is offered). */
export function namedUpstreams(client: ClientLike | undefined): string[] | undefined {
  const named = client?.metadata()[UPSTREAMS];
  return Array.isArray(named) ? named as string[] : undefined;
}

/** `--no-local-login` not set: Keyline's own password and passkey are ways into this client. */
export function allowsLocalLogin(client: ClientLike | undefined): boolean {
  return client?.metadata()[NO_LOCAL_LOGIN] !== true;
}

/**
 * The ways into one client: what its login page shows and what its upstream start accepts, from
 * one place, so a button can never name an upstream the start would refuse, nor the reverse.
 * Every enabled upstream is listed whatever its type: each stored type (oidc, oauth2, ldap) has a
 * connector, and a type whose connector is missing fails at the start with Keyline's error page.
 */
export async function signInChoices(deps: InteractionDeps, client: ClientLike | undefined): Promise<SignInChoices> {
  return { upstreams: await deps.federation.directory.offered(namedUpstreams(client)), localLogin: allowsLocalLogin(client) };
}
