import { CookieJar } from 'tough-cookie';

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  location: string | undefined;
  json<T = Record<string, unknown>>(): T;
}

/** fetch with a cookie jar and manual redirects: what a browser does, minus the browser. */
export class BrowserLikeClient {
  readonly jar = new CookieJar();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/json;q=0.9');
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) {
      await this.jar.setCookie(setCookie, url, { ignoreError: true });
    }
    const text = await response.text();
    const location = response.headers.get('location') ?? undefined;
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: location ? new URL(location, url).href : undefined,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, { headers });
  }

  postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects while they stay on `origin`; returns the first response that is not one. */
  async followWithin(origin: string, response: Response, headers: Record<string, string> = {}): Promise<Response> {
    let current = response;
    for (let hops = 0; hops < 10 && current.location?.startsWith(origin); hops += 1) {
      current = await this.get(current.location, headers);
    }
    return current;
  }
}

/** Reads a hidden input's value out of an HTML form. */
export function hiddenField(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
}
