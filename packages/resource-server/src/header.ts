import type { IncomingRequest } from './types.ts';

/** One header's value, whatever the framework handed over. */
export function header(request: IncomingRequest, name: string): string | undefined {
  const value = request.headers[name] ?? request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
