import { z } from 'zod';
import { HttpError } from '../http/http-error.ts';
import type { StreamRecord } from '../store/store.ts';
import { EVENTS_SUPPORTED, POLL_DELIVERY, PUSH_DELIVERY, eventsDelivered } from './event-types.ts';
import { pollEndpointOf } from './transmitter-configuration.ts';

/** Seconds a receiver must leave between two verification requests on a stream (SSF 1.0 §8.1.1). */
export const MIN_VERIFICATION_INTERVAL = 5;
const DESCRIPTION_MAX = 500;

const visibleText = (max: number) => z.string().max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const delivery = z.object({
  method: z.enum([PUSH_DELIVERY, POLL_DELIVERY], { error: `must be ${PUSH_DELIVERY} (push) or ${POLL_DELIVERY} (poll)` }),
  endpoint_url: z.string().max(2000).optional(),
  authorization_header: visibleText(4096).min(1).optional(),
});

/** What a receiver may set (SSF 1.0 §8.1.1: the Receiver-Supplied properties). */
const receiverSupplied = z.object({
  delivery: delivery.optional(),
  events_requested: z.array(z.string().max(300)).max(50).optional(),
  description: z.string().optional(),
});

export type ReceiverSupplied = z.infer<typeof receiverSupplied>;

/** What a stream's delivery, events and description become, ready for the store. */
export interface StreamSettings {
  deliveryMethod: string;
  endpointUrl: string | null;
  /** Plaintext; sealed before it is stored. */
  authorizationHeader: string | null;
  eventsRequested: string[];
  description: string | null;
}

function problem(error: z.ZodError): HttpError {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'body';
  return new HttpError(400, 'invalid_request', `${where}: ${issue.message}`);
}

export function parseReceiverSupplied(body: Record<string, unknown>): ReceiverSupplied {
  const parsed = receiverSupplied.safeParse(body);
  if (!parsed.success) throw problem(parsed.error);
  return parsed.data;
}

/**
 * A push receiver's URL must be https, so SETs never travel in the clear; plain http is allowed
 * only where `outbound.allowPrivateNetworks` is (development and tests).
 */
function pushEndpoint(url: string | undefined, allowHttp: boolean): string {
  if (!url || !URL.canParse(url)) throw new HttpError(400, 'invalid_request', 'delivery.endpoint_url: a push stream needs the absolute URL SETs are pushed to');
  const parsed = new URL(url);
  const schemeAllowed = parsed.protocol === 'https:' || (allowHttp && parsed.protocol === 'http:');
  if (!schemeAllowed) throw new HttpError(400, 'invalid_request', 'delivery.endpoint_url: must be an https:// URL');
  if (parsed.hash) throw new HttpError(400, 'invalid_request', 'delivery.endpoint_url: must not have a fragment');
  return parsed.href;
}

/**
 * The settings a create (or replace) asks for; missing ones take their defaults: poll delivery
 * (SSF 1.0 §8.1.1.1), every event Keyline emits, no description.
 */
export function settingsFrom(request: ReceiverSupplied, allowHttp: boolean): StreamSettings {
  const method = request.delivery?.method ?? POLL_DELIVERY;
  const push = method === PUSH_DELIVERY;
  return {
    deliveryMethod: method,
    endpointUrl: push ? pushEndpoint(request.delivery?.endpoint_url, allowHttp) : null,
    authorizationHeader: push ? request.delivery?.authorization_header ?? null : null,
    eventsRequested: request.events_requested ?? [...EVENTS_SUPPORTED],
    description: request.description ? request.description.slice(0, DESCRIPTION_MAX) : null,
  };
}

/** A PATCH: only the properties present change (SSF 1.0 §8.1.1.3). */
export function patchedSettings(current: StreamSettings, request: ReceiverSupplied, allowHttp: boolean): StreamSettings {
  const next = { ...current };
  if (request.delivery) {
    const delivered = settingsFrom({ delivery: request.delivery }, allowHttp);
    next.deliveryMethod = delivered.deliveryMethod;
    next.endpointUrl = delivered.endpointUrl;
    next.authorizationHeader = delivered.authorizationHeader;
  }
  if (request.events_requested) next.eventsRequested = request.events_requested;
  if (request.description !== undefined) next.description = request.description ? request.description.slice(0, DESCRIPTION_MAX) : null;
  return next;
}

/** The stream configuration as the API shows it; the authorization header a receiver gave is never shown back. */
export function streamView(stream: StreamRecord, issuer: string): Record<string, unknown> {
  return {
    stream_id: stream.id,
    iss: issuer,
    aud: stream.audience,
    delivery: stream.deliveryMethod === PUSH_DELIVERY
      ? { method: PUSH_DELIVERY, endpoint_url: stream.endpointUrl }
      : { method: POLL_DELIVERY, endpoint_url: pollEndpointOf(issuer, stream.id) },
    events_supported: [...EVENTS_SUPPORTED],
    events_requested: stream.eventsRequested,
    events_delivered: eventsDelivered(stream.eventsRequested),
    min_verification_interval: MIN_VERIFICATION_INTERVAL,
    ...(stream.description ? { description: stream.description } : {}),
  };
}

const sameSet = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.length === b.length && b.every((value) => a.includes(value));

/**
 * SSF 1.0 §8.1.1.3: Transmitter-Supplied properties may be sent back in an update, but must match
 * what the transmitter has (events_delivered as it was before the update).
 */
export function checkTransmitterSupplied(body: Record<string, unknown>, current: Record<string, unknown>): void {
  const checks: Array<[string, boolean]> = [
    ['iss', body.iss === undefined || body.iss === current.iss],
    ['aud', body.aud === undefined || body.aud === current.aud || sameSet(body.aud, [current.aud as string])],
    ['events_supported', body.events_supported === undefined || sameSet(body.events_supported, current.events_supported as string[])],
    ['events_delivered', body.events_delivered === undefined || sameSet(body.events_delivered, current.events_delivered as string[])],
    ['min_verification_interval', body.min_verification_interval === undefined || body.min_verification_interval === current.min_verification_interval],
  ];
  const wrong = checks.find(([, ok]) => !ok);
  if (wrong) throw new HttpError(400, 'invalid_request', `${wrong[0]}: is set by the transmitter and does not match this stream's`);
}
