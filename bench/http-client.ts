import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A lean keep-alive HTTP/1.1 client over node:http, for the scenarios that need per-request logic. */
export class HttpClient {
  readonly #agent: Agent;

  constructor(connections: number) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  request(url: string, { method = 'GET', headers = {}, body }: HttpRequest = {}): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(url, {
        method,
        agent: this.#agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: 30_000,
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }));
        response.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout: ${method} ${url}`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

interface StoredCookie { name: string; value: string; path: string }

/**
 * The part of a browser's cookie store a login flow on one host needs: name, value, path scoping
 * and deletion (oidc-provider scopes its interaction cookies to `/interaction/<uid>` and `/auth/<uid>`).
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(requestUrl: URL, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      let path = requestUrl.pathname.slice(0, Math.max(1, requestUrl.pathname.lastIndexOf('/')));
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=').map((part) => part.trim());
        const lowered = key.toLowerCase();
        if (lowered === 'path' && attributeValue.startsWith('/')) path = attributeValue;
        if (lowered === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (lowered === 'expires' && Date.parse(attribute.slice(attribute.indexOf('=') + 1)) <= Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  headerFor(url: URL): string {
    const matching: string[] = [];
    for (const cookie of this.#cookies.values()) {
      const { path } = cookie;
      const inPath = url.pathname === path || url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`);
      if (inPath) matching.push(`${cookie.name}=${cookie.value}`);
    }
    return matching.join('; ');
  }
}

/** A browser-like client for one login: shares the connection pool, owns its cookies, never follows redirects itself. */
export class BrowserSession {
  readonly jar = new CookieJar();
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async send(url: string, init: HttpRequest = {}): Promise<HttpResponse & { location?: string }> {
    const target = new URL(url);
    const cookie = this.jar.headerFor(target);
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9', ...init.headers };
    if (cookie) headers.cookie = cookie;
    const response = await this.#http.request(url, { ...init, headers });
    this.jar.store(target, response.headers['set-cookie']);
    const location = response.headers.location;
    return { ...response, ...(location ? { location: new URL(location, url).href } : {}) };
  }

  get(url: string) {
    return this.send(url);
  }

  postForm(url: string, form: Record<string, string>) {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
}
