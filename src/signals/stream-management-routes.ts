import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { Config } from '../config/schema.ts';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { readJsonObject } from '../http/parse-json.ts';
import type { SecretCipher } from '../keys/secret-cipher.ts';
import type { StreamRecord, Store } from '../store/store.ts';
import { VERIFICATION } from './event-types.ts';
import { pollEndpoint } from './poll-endpoint.ts';
import { authenticateReceiver } from './receiver-authentication.ts';
import type { SetClaims } from './security-event-token.ts';
import {
  MIN_VERIFICATION_INTERVAL, checkTransmitterSupplied, parseReceiverSupplied, patchedSettings, settingsFrom, streamView, type StreamSettings,
} from './stream-config.ts';
import { sealAuthorizationHeader } from './stream-authorization.ts';
import type { StreamDelivery } from './stream-delivery.ts';
import { SubjectError, parseSubject, subjectKey } from './subject-identifiers.ts';
import { SSF_PATHS, transmitterConfiguration } from './transmitter-configuration.ts';

export interface SignalsRouteDependencies {
  config: Config;
  store: Store;
  cipher: SecretCipher;
  delivery: StreamDelivery;
  securityEvents: SecurityEvents;
  /** The current oidc-provider, which judges the receivers' access tokens. */
  provider: () => Provider;
  signingKey: Parameters<typeof pollEndpoint>[0]['signingKey'];
}

type SsfContext = Context & { state: KeylineState };

const STATUSES = new Set(['enabled', 'paused', 'disabled']);

function streamIdFrom(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new HttpError(400, 'invalid_request', 'stream_id: a stream id is required');
  }
  return value;
}

function optionalText(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new HttpError(400, 'invalid_request', `${name}: must be a string of at most ${max} characters`);
  return value;
}

function answer(ctx: SsfContext, status: number, body?: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  if (body !== undefined) ctx.body = body;
}

/**
 * The SSF 1.0 transmitter's HTTP side: its configuration document, the stream management API
 * (§8: streams, status, subjects, verification) and the RFC 8936 poll endpoints. Every endpoint
 * but the configuration document needs a receiver's ssf-scoped access token, and a receiver
 * sees and changes only its own streams (someone else's answers 404, as a missing one does).
 */
export function signalsRoutes(deps: SignalsRouteDependencies): Router {
  const { config, store, cipher, delivery, securityEvents } = deps;
  const { issuer } = config;
  const allowHttp = config.outbound.allowPrivateNetworks;
  const router = new Router();

  const receiver = (ctx: SsfContext) => authenticateReceiver(ctx, deps.provider, issuer);

  async function ownStream(clientId: string, streamId: string): Promise<StreamRecord> {
    const stream = await store.streams.find(streamId);
    if (!stream || stream.clientId !== clientId) throw new HttpError(404, 'not_found', 'There is no stream with this stream_id for this receiver.');
    return stream;
  }

  function settingsOf(stream: StreamRecord): StreamSettings {
    return {
      deliveryMethod: stream.deliveryMethod, endpointUrl: stream.endpointUrl, authorizationHeader: stream.authorizationHeader,
      eventsRequested: stream.eventsRequested, description: stream.description,
    };
  }

  /** The settings as stored: a new authorization header sealed, an unchanged one kept as it was. */
  function storable(streamId: string, settings: StreamSettings, current?: StreamSettings): StreamSettings {
    const header = settings.authorizationHeader;
    const sealed = header === null ? null : header === current?.authorizationHeader ? header : sealAuthorizationHeader(cipher, streamId, header);
    return { ...settings, authorizationHeader: sealed };
  }

  async function record(ctx: SsfContext, clientId: string, type: string, data: Record<string, unknown>): Promise<void> {
    await securityEvents.record({
      type, actor: `client:${clientId}`, clientId, requestId: ctx.state.requestId ?? null, ip: ctx.ip, data,
    }, ctx.state.log);
  }

  router.get(SSF_PATHS.configuration, (ctx) => {
    answer(ctx as SsfContext, 200, transmitterConfiguration(issuer, `${issuer}/jwks`, config.signals.defaultSubjects));
  });

  router.post(SSF_PATHS.streams, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    const settings = settingsFrom(parseReceiverSupplied(await readJsonObject(ctx)), allowHttp);
    if ((await store.streams.listByClient(clientId)).length >= config.signals.maxStreamsPerReceiver) {
      throw new HttpError(409, 'conflict', `A receiver may have at most ${config.signals.maxStreamsPerReceiver} streams; update or delete one.`);
    }
    const id = randomBytes(16).toString('hex');
    const now = new Date();
    const stream: StreamRecord = {
      id, clientId, audience: clientId, ...storable(id, settings), status: 'enabled', statusReason: null, createdAt: now, updatedAt: now,
    };
    await store.streams.create(stream);
    await record(ctx, clientId, 'ssf.stream_created', { streamId: id, deliveryMethod: stream.deliveryMethod });
    answer(ctx, 201, streamView(stream, issuer));
  });

  router.get(SSF_PATHS.streams, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    if (ctx.query.stream_id === undefined) {
      answer(ctx, 200, (await store.streams.listByClient(clientId)).map((stream) => streamView(stream, issuer)));
      return;
    }
    answer(ctx, 200, streamView(await ownStream(clientId, streamIdFrom(ctx.query.stream_id)), issuer));
  });

  async function change(ctx: SsfContext, replace: boolean): Promise<void> {
    const clientId = await receiver(ctx);
    const body = await readJsonObject(ctx);
    const stream = await ownStream(clientId, streamIdFrom(body.stream_id));
    checkTransmitterSupplied(body, streamView(stream, issuer));
    const request = parseReceiverSupplied(body);
    const current = settingsOf(stream);
    const next = replace ? settingsFrom(request, allowHttp) : patchedSettings(current, request, allowHttp);
    const updated = (await store.streams.update(stream.id, storable(stream.id, next, current)))!;
    await record(ctx, clientId, 'ssf.stream_updated', { streamId: stream.id, deliveryMethod: updated.deliveryMethod, replaced: replace });
    answer(ctx, 200, streamView(updated, issuer));
  }
  router.patch(SSF_PATHS.streams, (ctx: SsfContext) => change(ctx, false));
  router.put(SSF_PATHS.streams, (ctx: SsfContext) => change(ctx, true));

  router.delete(SSF_PATHS.streams, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    const stream = await ownStream(clientId, streamIdFrom(ctx.query.stream_id));
    await store.streams.remove(stream.id);
    await record(ctx, clientId, 'ssf.stream_deleted', { streamId: stream.id });
    answer(ctx, 204);
  });

  router.get(SSF_PATHS.status, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    const stream = await ownStream(clientId, streamIdFrom(ctx.query.stream_id));
    answer(ctx, 200, { stream_id: stream.id, status: stream.status, ...(stream.statusReason ? { reason: stream.statusReason } : {}) });
  });

  router.post(SSF_PATHS.status, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    const body = await readJsonObject(ctx);
    const stream = await ownStream(clientId, streamIdFrom(body.stream_id));
    if (typeof body.status !== 'string' || !STATUSES.has(body.status)) {
      throw new HttpError(400, 'invalid_request', 'status: must be enabled, paused or disabled');
    }
    const reason = optionalText(body.reason, 'reason', 500) ?? null;
    const updated = (await store.streams.update(stream.id, { status: body.status as StreamRecord['status'], statusReason: reason }))!;
    if (updated.status === 'enabled') await delivery.releaseHeld(updated);
    if (updated.status === 'disabled') await delivery.dropHeld(updated);
    await record(ctx, clientId, 'ssf.stream_status_changed', { streamId: stream.id, before: stream.status, after: updated.status });
    answer(ctx, 200, { stream_id: updated.id, status: updated.status, ...(reason ? { reason } : {}) });
  });

  async function subjectChange(ctx: SsfContext, included: boolean): Promise<void> {
    const clientId = await receiver(ctx);
    const body = await readJsonObject(ctx);
    const stream = await ownStream(clientId, streamIdFrom(body.stream_id));
    if (body.verified !== undefined && typeof body.verified !== 'boolean') throw new HttpError(400, 'invalid_request', 'verified: must be a boolean');
    let key: string;
    try {
      key = subjectKey(parseSubject(body.subject), issuer);
    } catch (error) {
      if (error instanceof SubjectError) throw new HttpError(400, 'invalid_request', error.message);
      throw error;
    }
    // Whether the subject is a Keyline account is not said either way (SSF 1.0 §9.1, subject probing).
    await store.streams.setSubject(stream.id, key, included);
    answer(ctx, included ? 200 : 204);
  }
  router.post(SSF_PATHS.addSubject, (ctx: SsfContext) => subjectChange(ctx, true));
  router.post(SSF_PATHS.removeSubject, (ctx: SsfContext) => subjectChange(ctx, false));

  router.post(SSF_PATHS.verify, async (ctx: SsfContext) => {
    const clientId = await receiver(ctx);
    const body = await readJsonObject(ctx);
    const stream = await ownStream(clientId, streamIdFrom(body.stream_id));
    const state = optionalText(body.state, 'state', 1000);
    const { count } = await store.counters.increment(`ssf-verify:${stream.id}`, MIN_VERIFICATION_INTERVAL);
    if (count > 1) {
      ctx.set('Retry-After', String(MIN_VERIFICATION_INTERVAL));
      throw new HttpError(429, 'too_many_requests', `Verification may be requested once every ${MIN_VERIFICATION_INTERVAL} seconds per stream.`);
    }
    const claims: SetClaims = {
      iss: issuer,
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      aud: stream.audience,
      sub_id: { format: 'opaque', id: stream.id },
      events: { [VERIFICATION]: state === undefined ? {} : { state } },
    };
    await delivery.deliver(stream, claims);
    answer(ctx, 204);
  });

  router.post(`${SSF_PATHS.poll}/:streamId`, pollEndpoint({
    store, receiver, ownStream, signingKey: deps.signingKey, longPollSeconds: config.signals.longPollSeconds,
  }));

  return router;
}
