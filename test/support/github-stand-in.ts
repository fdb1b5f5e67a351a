import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for GitHub's OAuth 2.0 endpoints, for tests: a small server on 127.0.0.1 answering
 * as github.com and api.github.com do for "Sign in with GitHub": /login/oauth/authorize (approves
 * at once for the user the test names), /login/oauth/access_token (client secret, PKCE, one use of
 * a code), /user (the profile, whose public email may be null or unverified) and /user/emails (the
 * addresses with `primary` and `verified`). Like the real API it refuses a call without a
 * User-Agent. It is not GitHub: only the shape Keyline's oauth2 connector relies on.
 */
export interface GitHubUser {
  id: number;
  login: string;
  name?: string;
  /** The profile's public email: may differ from the primary one, and is never said to be verified. */
  email?: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GitHubStandIn {
  origin: string;
  settings: { authorizationEndpoint: string; tokenEndpoint: string; userinfoEndpoint: string; emailsEndpoint: string };
  signInAs(login: string): void;
  /** What its token endpoint received, to check how Keyline authenticated. */
  tokenRequests: Record<string, string>[];
  close(): Promise<void>;
}

async function readForm(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
}

export async function startGitHubStandIn(options: { clientId: string; clientSecret: string; users: GitHubUser[] }): Promise<GitHubStandIn> {
  const users = new Map(options.users.map((user) => [user.login, user]));
  const codes = new Map<string, { login: string; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, string>();
  const tokenRequests: Record<string, string>[] = [];
  let next: string | undefined;

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    void (async () => {
      if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        if (url.searchParams.get('client_id') !== options.clientId || !next) return json(400, { error: 'unknown client or user' });
        const code = randomBytes(10).toString('hex');
        codes.set(code, { login: next, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        response.writeHead(302, { location: back.href });
        return response.end();
      }
      if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = await readForm(request);
        tokenRequests.push(form);
        const basic = request.headers.authorization?.startsWith('Basic ')
          ? Buffer.from(request.headers.authorization.slice(6), 'base64').toString().split(':').map(decodeURIComponent) : [];
        const [clientId, secret] = basic.length ? basic : [form.client_id, form.client_secret];
        const grant = codes.get(form.code ?? '');
        codes.delete(form.code ?? '');
        // GitHub answers 200 with an error body, not a 4xx.
        if (clientId !== options.clientId || secret !== options.clientSecret) return json(200, { error: 'incorrect_client_credentials' });
        if (!grant || grant.redirectUri !== form.redirect_uri) return json(200, { error: 'bad_verification_code' });
        if (createHash('sha256').update(form.code_verifier ?? '').digest('base64url') !== grant.challenge) return json(200, { error: 'bad_verification_code' });
        const token = `gho_${randomBytes(16).toString('hex')}`;
        tokens.set(token, grant.login);
        return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
        if (!request.headers['user-agent']) return json(403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' });
        const login = tokens.get((request.headers.authorization ?? '').replace(/^(Bearer|token) /i, ''));
        const user = login ? users.get(login) : undefined;
        if (!user) return json(401, { message: 'Bad credentials' });
        if (url.pathname === '/user/emails') return json(200, user.emails.map((entry) => ({ ...entry, visibility: entry.primary ? 'private' : null })));
        return json(200, { id: user.id, login: user.login, name: user.name ?? null, email: user.email ?? null, avatar_url: `https://avatars.example/${user.id}`, html_url: `https://github.example/${user.login}` });
      }
      return json(404, { message: 'Not Found' });
    })().catch(() => json(500, { message: 'stand-in failed' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    settings: {
      authorizationEndpoint: `${origin}/login/oauth/authorize`,
      tokenEndpoint: `${origin}/login/oauth/access_token`,
      userinfoEndpoint: `${origin}/user`,
      emailsEndpoint: `${origin}/user/emails`,
    },
    signInAs: (login) => { next = login; },
    tokenRequests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
