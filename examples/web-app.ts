// "Login with Keyline": a server-side web app using the authorization code flow with PKCE. It shows
// the ID token's claims and UserInfo, calls the example API with its access token, and signs out
// through RP-initiated logout.
//   npm run example [-- --port N]   registers its own client and API, then serves http://localhost:8080 (run-example.ts)
//   by hand, with a client whose redirect URI is http://localhost:8080/callback and post-logout
//   redirect URI http://localhost:8080/signed-out (no API call without API_URL and API_AUDIENCE):
//   CLIENT_ID=... CLIENT_SECRET=... PORT=8080 npx node examples/web-app.ts   (npx node: the project's Node 24)
// The pages use Keyline's catalogues (locales/*.json, keys example.*) and its page kit's stylesheet.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import pug from 'pug';
import { I18n } from '../src/i18n/i18n.ts';
import { negotiateLocale } from '../src/i18n/negotiate-locale.ts';
import { textDirection } from '../src/i18n/text-direction.ts';
import { RelyingParty, SignInProblem } from './web-app/relying-party.ts';
import { SessionStore, type Session } from './web-app/session-store.ts';
import { displayRows } from './web-app/display-rows.ts';

export interface WebAppOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port?: number;
  /** The address people open; its /callback and /signed-out must be registered with the client. */
  baseUrl?: string;
  /** The example API to call: where it listens and its resource indicator (the tokens' audience). */
  api?: { url: string; audience: string; scope: string };
}

const VIEWS = fileURLToPath(new URL('./web-app/views/', import.meta.url));
const STYLESHEET = readFileSync(new URL('./web-app/web-app.css', import.meta.url));
const LOCALES = fileURLToPath(new URL('../locales/', import.meta.url));
const SIGN_IN_SCOPE = 'openid profile email';
const CALL_TIMEOUT_MS = 5000;

const template = (name: string) => pug.compileFile(`${VIEWS}${name}.pug`, { basedir: VIEWS });
const PAGES = { home: template('home'), problem: template('problem'), signedOut: template('signed-out') };

export async function startWebApp(options: WebAppOptions): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const baseUrl = options.baseUrl ?? `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const rp = await RelyingParty.discover({
    issuer: options.issuer, clientId: options.clientId, clientSecret: options.clientSecret,
    redirectUri: `${baseUrl}/callback`, postLogoutRedirectUri: `${baseUrl}/signed-out`,
  });
  const sessions = new SessionStore({ secure: baseUrl.startsWith('https:') });
  const i18n = new I18n(LOCALES, 'en', { product: 'Keyline' });
  const issuerOrigin = new URL(rp.issuer).origin;
  // Keyline's page kit, fetched once and served from here: the pages then need no other origin for
  // styles, and tools that read stylesheets (axe) need no connect-src to Keyline.
  const keylineCss = await (await fetch(new URL('/assets/keyline.css', rp.issuer))).text();
  const keylineIcon = new URL('/assets/favicon.svg', rp.issuer).href;

  function page(req: IncomingMessage, res: ServerResponse, name: keyof typeof PAGES, status: number, locals: Record<string, unknown>): void {
    const locale = localeOf(req, i18n);
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      // Claims and tokens are on these pages: never cached, never sent on as a referrer.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'none'; style-src 'self'; img-src ${issuerOrigin}; form-action 'self' ${issuerOrigin}; base-uri 'none'; frame-ancestors 'none'`,
    });
    res.end(PAGES[name]({ ...locals, t: i18n.translator(locale), lang: locale, dir: textDirection(locale), keylineIcon }));
  }

  function redirect(res: ServerResponse, location: string): void {
    res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
  }

  /** Starts an authorization request from this browser's session and sends the browser to Keyline. */
  function authorize(req: IncomingMessage, res: ServerResponse, session: Session, params: { scope: string; resource?: string; prompt?: 'none' }): void {
    const request = rp.authorizationRequest({ ...params, uiLocales: localeOf(req, i18n) });
    sessions.addPending(session, request.state, request.pending);
    redirect(res, request.url);
  }

  async function callback(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const session = sessions.find(req);
    const state = query.get('state') ?? '';
    const pending = session?.pending.get(state);
    // Only a request this browser started may finish here: a callback link from someone else's
    // sign-in (login CSRF), or one already used, changes nothing.
    if (!session || !pending) {
      page(req, res, 'problem', 400, { kind: 'stale' });
      return;
    }
    session.pending.delete(state);
    try {
      const tokens = await rp.finish(query, pending);
      if (!pending.silent) sessions.rename(session, res);
      if (pending.resource) {
        // One access token has one audience (RFC 8707): this one is the API's. UserInfo needs its
        // own, so a second, silent request follows (Keyline remembers the consent just given).
        session.signedIn = { idToken: tokens.idToken, claims: tokens.claims, apiToken: tokens.accessToken };
        authorize(req, res, session, { scope: SIGN_IN_SCOPE, prompt: 'none' });
        return;
      }
      // The silent leg must come back with the person the first leg signed in.
      const subject = String(pending.silent ? session.signedIn?.claims.sub : tokens.claims.sub);
      if (tokens.claims.sub !== subject) throw new SignInProblem('invalid_id_token', 'a different person signed in');
      const userInfo = await rp.userInfo(tokens.accessToken, subject);
      session.signedIn = { ...session.signedIn, idToken: tokens.idToken, claims: tokens.claims, userInfo };
      session.problem = undefined;
      // Post/redirect/get: the code leaves the address bar, so a reload shows the page again.
      redirect(res, '/');
    } catch (error) {
      if (!(error instanceof SignInProblem)) throw error;
      if (session.signedIn && pending.silent) {
        // The silent leg failed (e.g. login_required): signed in all the same, without UserInfo.
        session.signedIn.userInfoProblem = error.message;
        redirect(res, '/');
        return;
      }
      session.signedIn = undefined;
      session.problem = { code: error.code, detail: error.detail };
      redirect(res, '/sign-in-problem');
    }
  }

  async function home(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = sessions.find(req);
    const signedIn = session?.signedIn;
    if (!session || !signedIn) {
      page(req, res, 'home', 200, {});
      return;
    }
    const name = [signedIn.userInfo?.name, signedIn.userInfo?.email, signedIn.claims.sub].find((value) => typeof value === 'string' && value);
    page(req, res, 'home', 200, {
      csrf: session.csrf,
      signedIn: {
        name,
        claims: displayRows(signedIn.claims),
        userInfo: signedIn.userInfo && displayRows(signedIn.userInfo),
        userInfoProblem: signedIn.userInfoProblem,
      },
      api: options.api && await callApi(options.api, signedIn.apiToken),
    });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Node's parser lets through targets that are no URL (`//[`): a throw here would end the process.
    const url = URL.parse(req.url ?? '/', baseUrl);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request');
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    const handled = (async () => {
      switch (route) {
        case 'GET /':
          return home(req, res);
        case 'GET /login': {
          const session = sessions.findOrCreate(req, res);
          session.problem = undefined;
          return options.api
            ? authorize(req, res, session, { scope: `${SIGN_IN_SCOPE} ${options.api.scope}`, resource: options.api.audience })
            : authorize(req, res, session, { scope: SIGN_IN_SCOPE });
        }
        case 'GET /callback':
          return callback(req, res, url.searchParams);
        case 'GET /sign-in-problem': {
          const problem = sessions.find(req)?.problem;
          if (!problem) return redirect(res, '/');
          // Saying no is an answer, not a failure; anything else could not be used.
          return problem.code === 'access_denied'
            ? page(req, res, 'problem', 200, { kind: 'denied' })
            : page(req, res, 'problem', 400, { kind: 'failed', code: problem.code, detail: problem.detail });
        }
        case 'POST /logout':
          return signOut(req, res);
        case 'GET /signed-out':
          return page(req, res, 'signedOut', 200, {});
        case 'GET /keyline.css':
          return stylesheet(res, keylineCss);
        case 'GET /web-app.css':
          return stylesheet(res, STYLESHEET);
        default:
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
          return undefined;
      }
    })();
    handled.catch((error: Error) => {
      console.error(`example: ${route}: ${error.message}`);
      if (!res.headersSent) page(req, res, 'problem', 502, { kind: 'failed', code: 'keyline_unreachable' });
      else res.end();
    });
  });

  async function signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = sessions.find(req);
    const form = new URLSearchParams(await readBody(req));
    if (!session || !sameSecret(form.get('csrf') ?? '', session.csrf)) {
      redirect(res, '/');
      return;
    }
    const idToken = session.signedIn?.idToken;
    sessions.end(session, res);
    // The return address is always the registered one: nothing from the request chooses it.
    redirect(res, idToken ? rp.endSessionUrl(idToken, localeOf(req, i18n)) : '/signed-out');
  }

  return { server, url: baseUrl };
}

async function callApi(api: NonNullable<WebAppOptions['api']>, token: string | undefined): Promise<Record<string, unknown>> {
  if (!token) return { url: api.url, audience: api.audience, problem: 'no access token for the API' };
  try {
    const response = await fetch(api.url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const body = await response.json() as Record<string, unknown>;
    return { url: api.url, audience: api.audience, status: response.status, body: displayRows(body) };
  } catch (error) {
    return { url: api.url, audience: api.audience, problem: (error as Error).message };
  }
}

function stylesheet(res: ServerResponse, css: string | Buffer): void {
  res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' }).end(css);
}

function localeOf(req: IncomingMessage, i18n: I18n): string {
  const accepted = String(req.headers['accept-language'] ?? '').split(',')
    .map((part) => {
      const [tag = '', ...params] = part.split(';').map((piece) => piece.trim());
      const q = params.find((param) => param.startsWith('q='));
      return { tag, weight: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter(({ tag, weight }) => tag && tag !== '*' && weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .map(({ tag }) => tag);
  return negotiateLocale({ acceptLanguageMatches: accepted }, i18n.locales, i18n.defaultLocale);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 4096) break;
  }
  return body;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startWebApp({
    issuer: process.env.KEYLINE_ISSUER ?? 'http://localhost:3000',
    clientId: process.env.CLIENT_ID ?? '', clientSecret: process.env.CLIENT_SECRET ?? '', port, baseUrl: `http://localhost:${port}`,
    api: process.env.API_URL && process.env.API_AUDIENCE ? { url: process.env.API_URL, audience: process.env.API_AUDIENCE, scope: process.env.API_SCOPE ?? '' } : undefined,
  });
  console.log(`web app on ${url}`);
}
