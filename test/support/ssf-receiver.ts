import { decodeJwt, type JWTPayload } from 'jose';
import { basicAuth, registerTestClient, type TestClient } from './oidc-flow.ts';
import type { RecordingReceiver } from './recording-receiver.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** A shared-signals receiver: a client registered for the transmitter's resource with the ssf scope. */
export interface SsfReceiver {
  client: TestClient;
  /** A fresh access token by client credentials. */
  token(): Promise<string>;
  /** Calls the management API (or a poll endpoint) with the receiver's token. */
  call(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown; headers: Headers }>;
}

export async function registerReceiver(kl: RunningKeyline, name = 'Signals receiver'): Promise<SsfReceiver> {
  const client = await registerTestClient(kl, {
    name, grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'ssf', resources: [`${kl.url}/ssf`],
  });
  const token = async () => {
    const response = await fetch(`${kl.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'ssf' }).toString(),
    });
    const body = await response.json() as { access_token?: string };
    if (!body.access_token) throw new Error(`no token for the receiver: ${JSON.stringify(body)}`);
    return body.access_token;
  };
  return {
    client,
    token,
    async call(method, url, body, bearer) {
      const response = await fetch(url.startsWith('http') ? url : `${kl.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${bearer ?? await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}

/** The SETs a push receiver got, decoded (not yet verified), with what came with each. */
export function pushedSets(receiver: RecordingReceiver, path = '/events'): Array<{ set: string; claims: JWTPayload; authorization: string | undefined; contentType: string | undefined }> {
  return receiver.received.filter((request) => request.path === path).map((request) => ({
    set: request.body,
    claims: decodeJwt(request.body),
    authorization: request.headers.authorization,
    contentType: request.headers['content-type'],
  }));
}

/** The event object of a SET for `eventType` about the user `accountId` (as iss_sub), if the SET is one. */
export function eventAbout(claims: JWTPayload, eventType: string, accountId: string): Record<string, unknown> | undefined {
  const subject = claims.sub_id as { format?: string; sub?: string } | undefined;
  if (subject?.format !== 'iss_sub' || subject.sub !== accountId) return undefined;
  return (claims.events as Record<string, Record<string, unknown>> | undefined)?.[eventType];
}
