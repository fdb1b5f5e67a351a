import { connect } from 'node:net';

/** One HTTP/1.1 request as bytes on the wire: nothing is validated or encoded on the way out. */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent; may hold bytes fetch would refuse (invalid UTF-8, NUL). */
  target: Buffer | string;
  /** Header lines, sent in order, duplicates allowed; values are bytes (latin1 when a string). */
  headers: Array<[string, Buffer | string]>;
  body?: Buffer;
  /** Leave out the Host header (HTTP/1.1 requires it; the server must refuse cleanly). */
  omitHost?: boolean;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  /** Header names lower-cased, in the order received. */
  headers: Array<[string, string]>;
  /** Each header line exactly as it came off the wire, for CRLF-injection checks. */
  rawHeaderBlock: string;
  body: string;
}

export class NoResponseError extends Error {
  override name = 'NoResponseError';
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

/** Serialises a request: request line, Host, the given headers, Content-Length, Connection: close. */
export function serialise(request: RawRequest, host: string): Buffer {
  const body = request.body ?? Buffer.alloc(0);
  const parts: Buffer[] = [
    Buffer.from(`${request.method} `, 'latin1'),
    toBuffer(request.target),
    Buffer.from(' HTTP/1.1\r\n', 'latin1'),
  ];
  if (!request.omitHost) parts.push(Buffer.from(`Host: ${host}\r\n`, 'latin1'));
  for (const [name, value] of request.headers) {
    parts.push(Buffer.from(`${name}: `, 'latin1'), toBuffer(value), Buffer.from('\r\n', 'latin1'));
  }
  if (request.chunked) {
    parts.push(Buffer.from('Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n', 'latin1'));
    for (let offset = 0; offset < body.length; offset += 4096) {
      const chunk = body.subarray(offset, offset + 4096);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
    }
    parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
    return Buffer.concat(parts);
  }
  if (request.body !== undefined || !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(request.method)) {
    parts.push(Buffer.from(`Content-Length: ${body.length}\r\n`, 'latin1'));
  }
  parts.push(Buffer.from('Connection: close\r\n\r\n', 'latin1'), body);
  return Buffer.concat(parts);
}

function decodeChunked(payload: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset < payload.length) {
    const lineEnd = payload.indexOf('\r\n', offset, 'latin1');
    if (lineEnd < 0) break;
    const size = Number.parseInt(payload.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(payload.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function parseResponse(bytes: Buffer, method: string): RawResponse {
  // Skip interim answers such as `100 Continue`.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1'))) {
    const interimEnd = bytes.indexOf('\r\n\r\n', 0, 'latin1');
    if (interimEnd < 0) break;
    bytes = bytes.subarray(interimEnd + 4);
  }
  const headerEnd = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  if (headerEnd < 0) throw new NoResponseError(`incomplete response (${bytes.length} bytes): ${bytes.subarray(0, 200).toString('latin1')}`);
  const rawHeaderBlock = bytes.subarray(0, headerEnd).toString('latin1');
  const [statusLine = '', ...lines] = rawHeaderBlock.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new NoResponseError(`not an HTTP response: ${statusLine.slice(0, 200)}`);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  let payload = bytes.subarray(headerEnd + 4);
  if (method === 'HEAD') payload = Buffer.alloc(0);
  else if (headers.some(([name, value]) => name === 'transfer-encoding' && /chunked/i.test(value))) payload = decodeChunked(payload);
  return { status: Number(match[1]), headers, rawHeaderBlock, body: payload.toString('utf8') };
}

/**
 * Sends the bytes over a fresh TCP connection and reads until the server closes it. A server that
 * answers before reading a large body may reset the connection while we still write: the answer
 * it sent first still counts.
 */
export function sendRaw(origin: string, request: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port, host } = new URL(origin);
  const wire = serialise(request, host);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: hostname, port: Number(port) });
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      try {
        resolve(parseResponse(bytes, request.method));
      } catch (parseError) {
        reject(error ? new NoResponseError(`${error.message}; ${(parseError as Error).message}`) : parseError);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => socket.write(wire));
  });
}

export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key === name)?.[1];
}
