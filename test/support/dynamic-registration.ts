import { runCli } from './run-cli.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** A client as /reg (RFC 7591) or its registration client URI (RFC 7592) describes it. */
export interface DynamicClient {
  client_id: string;
  registration_access_token: string;
  registration_client_uri: string;
  error?: string;
  error_description?: string;
  [key: string]: unknown;
}

export interface RegistrationAnswer {
  status: number;
  body: DynamicClient;
}

/** A new initial access token, created the operator's way (`keyline registration token create`). */
export async function initialAccessToken(kl: RunningKeyline): Promise<string> {
  const created = await runCli(kl, ['registration', 'token', 'create']);
  return (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
}

/** POST /reg with this metadata, by a new initial access token unless one is given. */
export async function registerDynamically(kl: RunningKeyline, metadata: Record<string, unknown>, token?: string): Promise<RegistrationAnswer> {
  const answer = await fetch(`${kl.url}/reg`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? await initialAccessToken(kl)}`, 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: answer.status, body: await answer.json() as DynamicClient };
}

/** GET, PUT or DELETE at the client's registration client URI with a registration access token. */
export async function manageRegistration(
  client: DynamicClient, token: string, method: 'GET' | 'PUT' | 'DELETE', body?: Record<string, unknown>,
): Promise<RegistrationAnswer> {
  const answer = await fetch(client.registration_client_uri, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, body: (text ? JSON.parse(text) : {}) as DynamicClient };
}
