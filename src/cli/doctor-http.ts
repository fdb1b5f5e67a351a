import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The server's certificate, over https. */
  certificate?: PeerCertificate;
  /** Whether the certificate chains to a trusted root (NODE_EXTRA_CA_CERTS counts) and names the host. */
  authorized?: boolean;
  authorizationError?: string;
}

/**
 * One GET, without following redirects, that also hands back the TLS certificate it was served,
 * even when that certificate is not trusted (the doctor reports it instead of failing to connect).
 */
export function fetchForDoctor(url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Fetched> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const sent = send(target, { method: 'GET', headers: { accept: 'application/json, text/html', ...headers }, rejectUnauthorized: false, agent: false, timeout: timeoutMs }, (response) => {
      const socket = response.socket as TLSSocket;
      const tls = typeof socket.getPeerCertificate === 'function';
      const chunks: Buffer[] = [];
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the connection closed before the answer was complete')));
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(tls ? { certificate: socket.getPeerCertificate(), authorized: socket.authorized, authorizationError: socket.authorizationError?.toString() } : {}),
      }));
    });
    sent.on('timeout', () => sent.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    sent.on('error', reject);
    sent.end();
  });
}

export function setCookies(headers: IncomingHttpHeaders): string[] {
  return headers['set-cookie'] ?? [];
}
