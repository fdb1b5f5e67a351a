/** What the supervisor and its workers say to each other over the cluster's IPC channel. */

/** Supervisor → worker: stop accepting connections, finish what is in flight, exit 0. */
export const DRAIN = 'keyline:drain';
/** Worker → supervisor: listening, with its signal and drain handlers in place. */
export const READY = 'keyline:ready';

export interface DrainMessage { type: typeof DRAIN }
export interface ReadyMessage { type: typeof READY; port: number }

export function isDrainMessage(message: unknown): message is DrainMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === DRAIN;
}

export function isReadyMessage(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === READY;
}
