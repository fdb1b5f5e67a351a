import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  certFile: string;
  key: Buffer;
  cert: Buffer;
}

/** A fresh self-signed certificate for 127.0.0.1, made with the openssl binary. */
export function selfSignedCertificate(directory: string, days = 30): SelfSignedCertificate {
  const keyFile = join(directory, 'key.pem');
  const certFile = join(directory, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', String(days), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

export interface TlsProxy {
  /** https://127.0.0.1:<port> */
  url: string;
  /** A plain-http listener that redirects to `url`, as a proxy's port 80 would. */
  httpUrl: string;
  /** Where requests go; set once the backend listens. */
  target: { port: number };
  stop(): Promise<void>;
}

/**
 * A TLS-terminating reverse proxy, as nginx would be: it sets X-Forwarded-Proto: https and
 * X-Forwarded-For. `passClientProto` plants a misconfiguration: a client's own X-Forwarded-Proto
 * is passed through instead of overwritten.
 */
export async function startTlsProxy(certificate: SelfSignedCertificate, options: { passClientProto?: boolean } = {}): Promise<TlsProxy> {
  const target = { port: 0 };
  const proxy = createHttpsServer({ key: certificate.key, cert: certificate.cert }, (incoming, outgoing) => {
    const headers = { ...incoming.headers, 'x-forwarded-for': incoming.socket.remoteAddress ?? '', 'x-forwarded-proto': 'https' };
    if (options.passClientProto && incoming.headers['x-forwarded-proto']) headers['x-forwarded-proto'] = String(incoming.headers['x-forwarded-proto']);
    const forwarded = request({ host: '127.0.0.1', port: target.port, method: incoming.method, path: incoming.url, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const redirector: Server = createHttpServer((incoming, outgoing) => outgoing.writeHead(308, { location: `${url}${incoming.url ?? '/'}` }).end());
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  return {
    url,
    httpUrl: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`,
    target,
    async stop() {
      proxy.closeAllConnections();
      redirector.closeAllConnections();
      await Promise.all([proxy, redirector].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
