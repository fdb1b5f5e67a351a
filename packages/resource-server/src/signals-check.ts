import { hostname } from 'node:os';
import { jwtVerify, type JWTPayload } from 'jose';
import type { AuthorizationServer } from './authorization-server.ts';
import { RevokedSubjects } from './revoked-subjects.ts';
import type { AccessTokenClaims, RevocationCheck } from './types.ts';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
const POLL_DELIVERY = 'urn:ietf:rfc:8936';
/** The events after which a subject's earlier tokens must not be honoured. */
const REVOKING_EVENTS = [SESSION_REVOKED, CREDENTIAL_CHANGE];

export interface SignalsOptions {
  /** This API's receiver registration at Keyline: a client with client credentials, the `<issuer>/ssf` resource and the `ssf` scope. */
  clientId: string;
  clientSecret: string;
  /** How often to poll when nothing is waiting, in ms (default 5000): the longest a revocation can go unseen. */
  pollIntervalMs?: number;
  /**
   * Names this node's stream; a poll stream of this receiver with this description is reused
   * across restarts. Each node needs a stream of its own (an acknowledged SET is gone for every
   * poller of the stream), so the default names the host: `@keyline/resource-server signals (<hostname>)`.
   */
  description?: string;
  /** Called with every failure to poll (Keyline unreachable, a SET that does not verify); polling goes on. */
  onError?: (error: Error) => void;
  timeoutMs?: number;
  /** Where revocations are kept; one is made when not given. */
  revokedSubjects?: RevokedSubjects;
}

export interface SignalsCheck extends RevocationCheck {
  readonly revokedSubjects: RevokedSubjects;
  /** Resolves once the stream exists and the first poll has been answered. */
  readonly ready: Promise<void>;
  /** Polls now (until nothing more is waiting); resolves to how many SETs it took in. */
  pollNow(): Promise<number>;
  /** Stops polling (what was taken in but not yet acknowledged comes again next time). */
  close(): Promise<void>;
}

interface Stream {
  aud: string | string[];
  pollUrl: string;
}

interface PollAnswer {
  sets?: Record<string, string>;
  moreAvailable?: boolean;
}

/** The account a SET is about, when it names one of this issuer's users (as iss_sub, alone or as a complex subject's user). */
function subjectOf(claims: JWTPayload, issuer: string): string | undefined {
  let subject = claims.sub_id as { format?: string; iss?: string; sub?: string; user?: unknown } | undefined;
  if (subject?.format === 'complex') subject = subject.user as typeof subject;
  return subject?.format === 'iss_sub' && subject.iss === issuer && typeof subject.sub === 'string' ? subject.sub : undefined;
}

/**
 * Revocation by shared signals, as an RFC 8936 poll receiver of Keyline's SSF transmitter: it
 * creates (or finds again) a poll stream for session-revoked and credential-change, verifies each
 * SET against Keyline's JWKS (`typ: secevent+jwt`, issuer, the stream's audience), and refuses
 * every token a subject was issued at or before the event. SETs are acknowledged only once taken
 * in, so none is lost when this process stops. Revocations are kept in this process's memory:
 * each API node runs its own receiver (and, after a restart, learns again only what its stream
 * still holds; tokens live 15 minutes by default).
 */
export function signalsCheck(server: AuthorizationServer, options: SignalsOptions): SignalsCheck {
  const revoked = options.revokedSubjects ?? new RevokedSubjects();
  const intervalMs = options.pollIntervalMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const description = options.description ?? `@keyline/resource-server signals (${hostname()})`;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  let token: { value: string; until: number } | undefined;
  let stream: Stream | undefined;
  let acks: string[] = [];
  let setErrs: Record<string, { err: string; description: string }> = {};
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** The poll in progress, settled either way: polls never overlap. */
  let polling: Promise<void> | undefined;

  async function accessToken(): Promise<string> {
    if (token && token.until > Date.now()) return token.value;
    if (!server.tokenEndpoint) throw new Error(`${server.issuer} publishes no token_endpoint`);
    const response = await fetch(server.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'ssf' }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.json() as { access_token?: string; expires_in?: number; error?: string };
    if (!response.ok || !body.access_token) throw new Error(`Keyline refused the receiver's token request: ${body.error ?? response.status}`);
    token = { value: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 60) - 30) * 1000 };
    return token.value;
  }

  async function call(method: string, url: string, body?: unknown): Promise<Response> {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${await accessToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401) token = undefined;
    return response;
  }

  async function openStream(): Promise<Stream> {
    const configuration = await (await fetch(`${server.issuer}/.well-known/ssf-configuration`, { signal: AbortSignal.timeout(timeoutMs) })).json() as
      { issuer?: string; configuration_endpoint?: string };
    if (configuration.issuer !== server.issuer || !configuration.configuration_endpoint) {
      throw new Error(`${server.issuer} has no shared-signals transmitter for this issuer`);
    }
    type StreamConfig = { aud: string | string[]; description?: string; delivery?: { method?: string; endpoint_url?: string } };
    const listed = await call('GET', configuration.configuration_endpoint);
    if (!listed.ok) throw new Error(`reading the receiver's streams answered HTTP ${listed.status}`);
    let found = (await listed.json() as StreamConfig[]).find((config) => config.delivery?.method === POLL_DELIVERY && config.description === description);
    if (!found) {
      const created = await call('POST', configuration.configuration_endpoint, {
        delivery: { method: POLL_DELIVERY }, events_requested: REVOKING_EVENTS, description,
      });
      if (created.status === 409) throw new Error('Keyline allows this receiver no more streams: delete the ones of nodes that are gone (DELETE /ssf/streams?stream_id=...)');
      if (created.status !== 201) throw new Error(`creating the poll stream answered HTTP ${created.status}`);
      found = await created.json() as StreamConfig;
    }
    if (!found.delivery?.endpoint_url) throw new Error('the poll stream has no endpoint_url');
    return { aud: found.aud, pollUrl: found.delivery.endpoint_url };
  }

  async function takeIn(jti: string, set: string, current: Stream): Promise<void> {
    try {
      const { payload } = await jwtVerify(set, server.keys, { issuer: server.issuer, audience: current.aud, typ: 'secevent+jwt' });
      const subject = subjectOf(payload, server.issuer);
      const events = (payload.events ?? {}) as Record<string, { event_timestamp?: unknown }>;
      for (const type of REVOKING_EVENTS) {
        const event = events[type];
        if (!event || !subject) continue;
        revoked.record(subject, typeof event.event_timestamp === 'number' ? event.event_timestamp : payload.iat ?? Math.floor(Date.now() / 1000));
      }
      acks.push(jti);
    } catch (error) {
      setErrs[jti] = { err: 'invalid_key', description: `the SET did not verify: ${(error as Error).message}`.slice(0, 200) };
      options.onError?.(error as Error);
    }
  }

  async function pollUntilEmpty(): Promise<number> {
    stream ??= await openStream();
    let taken = 0;
    for (;;) {
      const sentAcks = acks;
      const sentErrs = setErrs;
      const response = await call('POST', stream.pollUrl, { ack: sentAcks, setErrs: sentErrs, maxEvents: 100, returnImmediately: true });
      if (!response.ok) throw new Error(`polling answered HTTP ${response.status}`);
      acks = acks.slice(sentAcks.length);
      setErrs = {};
      const answer = await response.json() as PollAnswer;
      const sets = Object.entries(answer.sets ?? {});
      for (const [jti, set] of sets) await takeIn(jti, set, stream);
      taken += sets.length;
      if (!answer.moreAvailable && acks.length === 0 && Object.keys(setErrs).length === 0) return taken;
      if (!answer.moreAvailable && sets.length === 0) return taken;
    }
  }

  function pollNow(): Promise<number> {
    const next = (polling ?? Promise.resolve()).then(() => pollUntilEmpty());
    const settled: Promise<void> = next.then(() => undefined, () => undefined).finally(() => { if (polling === settled) polling = undefined; });
    polling = settled;
    return next;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      pollNow().catch((error: unknown) => options.onError?.(error as Error)).finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  const ready = pollNow().then(() => undefined);
  ready.catch((error: unknown) => options.onError?.(error as Error)).finally(schedule);

  return {
    revokedSubjects: revoked,
    ready,
    pollNow,
    isRevoked: (accessTokenValue: string, claims: AccessTokenClaims) => revoked.isRevoked(accessTokenValue, claims),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await polling;
    },
  };
}
