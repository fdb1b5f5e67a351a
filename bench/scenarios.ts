import { randomBytes } from 'node:crypto';
import {
  API_SCOPE, basicAuthorization, BENCH_UPSTREAMS, benchUserEmail, ES256_API, RBAC_API, RBAC_ROLE, RS256_API, SEED_USER_EMAIL, UPSTREAM_EMAIL_DOMAIN, type ServerInfo,
} from './bench-fixtures.ts';
import { autocannonRound, loopRound, WorkerStopped, type FixedRequest, type RoundResult, type Summary } from './load.ts';
import { BrowserSession, type HttpClient } from './http-client.ts';
import { logIn, openLoginPage } from './login-flow.ts';
import { logInThroughUpstream, upstreamButtonsOn } from './upstream-login-flow.ts';

/** One server under test, with a keep-alive pool for the scenarios that script requests themselves. */
export interface Side {
  label: 'keyline' | 'peer';
  info: ServerInfo;
  http: HttpClient;
}

/** A prepared scenario on one side: each call measures one round. */
export interface Workload {
  round(durationMs: number): Promise<RoundResult>;
  /** Something the table should say about this side's run (printed under it). */
  notes?: string;
}

/** Keyline against the peer in one scenario, over the turns of the run. */
export interface Comparison {
  /** Keyline's server CPU per operation over the peer's: the median of the turns' ratios (K and P measured back to back). */
  cpu: number | null;
  /** Keyline's p99 over the peer's, each over every sample of the run. */
  p99: number | null;
}

export interface Target {
  description: string;
  /** true/false when it applies; null when it cannot be judged (e.g. no peer result). */
  met(keyline: Summary, peer: Summary | undefined, comparison: Comparison): boolean | null;
  /** The measured figure, for the table. */
  measured?(comparison: Comparison): number | null;
}

export interface Scenario {
  name: string;
  description: string;
  /** What one operation is, for the table: "req" or "login". */
  unit: 'req' | 'login';
  connections: number;
  targets: Target[];
  prepare(side: Side): Promise<Workload>;
}

/** Scenario setup found something that makes the numbers meaningless: report it, never measure around it. */
export class SetupFailed extends Error {}

const TOKEN_CONNECTIONS = 50;
const LOGIN_CONCURRENCY = 8;

const atLeast = (perSecond: number, unit = 'req'): Target => ({
  description: `≥ ${perSecond.toLocaleString('en-US')} ${unit}/s`,
  met: (keyline) => keyline.perSecond >= perSecond,
});
const p99Below = (ms: number): Target => ({ description: `p99 < ${ms} ms`, met: (keyline) => keyline.p99Ms < ms });
const ratioAtLeast = (ratio: number): Target => ({
  description: `≥ ${ratio.toFixed(1)}× peer`,
  met: (keyline, peer) => (peer && peer.perSecond > 0 ? keyline.perSecond / peer.perSecond >= ratio : null),
});

/** Issue 14's targets: Keyline's CPU per operation, and its p99, within a factor of the bare library's. */
const cpuAtMost = (ratio: number): Target => ({
  description: `CPU ≤ ${ratio.toFixed(2)}× peer`,
  met: (_keyline, _peer, { cpu }) => (cpu === null ? null : cpu <= ratio),
  measured: ({ cpu }) => cpu,
});
const p99AtMost = (ratio: number): Target => ({
  description: `p99 ≤ ${ratio.toFixed(2)}× peer`,
  met: (_keyline, _peer, { p99 }) => (p99 === null ? null : p99 <= ratio),
  measured: ({ p99 }) => p99,
});
const P99_TARGET = p99AtMost(1.25);

function fixed(request: FixedRequest, connections: number): Workload {
  return { round: (durationMs) => autocannonRound(request, connections, durationMs) };
}

async function checkOnce(side: Side, request: FixedRequest, what: string): Promise<string> {
  const response = await side.http.request(request.url, {
    method: request.method ?? 'GET', ...(request.headers ? { headers: request.headers } : {}), ...(request.body !== undefined ? { body: request.body } : {}),
  });
  if (response.status !== 200 || (request.verify && !request.verify(response.text))) {
    throw new SetupFailed(`${side.label}: ${what} answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.text;
}

function jwtHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function clientCredentials(name: string, resource: string, alg: string, targets: Target[], check?: (payload: Record<string, unknown>) => boolean): Scenario {
  return {
    name,
    description: `client_credentials → ${alg} JWT access token for ${resource}`,
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets,
    async prepare(side) {
      const request: FixedRequest = {
        url: new URL('/token', side.info.url).href,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(side.info.machine) },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: API_SCOPE, resource }).toString(),
        verify: (body) => body.includes('"access_token"'),
      };
      const { access_token: token } = JSON.parse(await checkOnce(side, request, 'client_credentials')) as { access_token: string };
      const header = jwtHeader(token);
      if (header.alg !== alg || header.typ !== 'at+jwt') throw new SetupFailed(`${side.label}: expected an ${alg} at+jwt, got ${JSON.stringify(header)}`);
      if (check && !check(jwtPayload(token))) throw new SetupFailed(`${side.label}: unexpected claims ${JSON.stringify(jwtPayload(token))}`);
      return fixed(request, TOKEN_CONNECTIONS);
    },
  };
}

export function ccRs256(): Scenario {
  return clientCredentials('cc-rs256', RS256_API, 'RS256', [ratioAtLeast(1), p99Below(50), cpuAtMost(1.1), P99_TARGET]);
}

export function ccEs256(): Scenario {
  return clientCredentials('cc-es256', ES256_API, 'ES256', [atLeast(6000), p99Below(50), cpuAtMost(1.1), P99_TARGET]);
}

/**
 * client_credentials for an API with RBAC: Keyline reads the machine's grants and roles for every
 * token (issue 20's hot path) and puts roles and permissions in; the library adds the same claims
 * from a constant. The token is checked to carry the role on both sides.
 */
export function ccRbac(): Scenario {
  const carriesTheRole = (payload: Record<string, unknown>) => JSON.stringify(payload.roles) === JSON.stringify([RBAC_ROLE])
    && JSON.stringify(payload.permissions) === JSON.stringify([API_SCOPE]) && payload.scope === API_SCOPE;
  return clientCredentials('cc-rbac', RBAC_API, 'RS256', [ratioAtLeast(1), p99Below(50), cpuAtMost(1.1), P99_TARGET], carriesTheRole);
}

/** Logs the seed user in `count` times (a few at once): each login is its own grant and token chain. */
async function seedLogins(side: Side, count: number, scope: string, prompt?: string) {
  const tokens: Awaited<ReturnType<typeof logIn>>[] = [];
  const parallel = 4;
  for (let start = 0; start < count; start += parallel) {
    const batch = Math.min(parallel, count - start);
    tokens.push(...await Promise.all(Array.from({ length: batch }, () => logIn(side.info, side.http, SEED_USER_EMAIL, { scope, ...(prompt ? { prompt } : {}) }))));
  }
  return tokens;
}

/**
 * refresh_token grant with rotation: one independent chain (its own login, grant and refresh token)
 * per connection; every request presents the newest token of its chain. Any failure (invalid_grant
 * included) is an error and ends that chain.
 */
export function refresh(): Scenario {
  return {
    name: 'refresh',
    description: 'refresh_token grant with rotation, one chain per connection',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [atLeast(1500), p99Below(50), cpuAtMost(1.25), P99_TARGET],
    async prepare(side) {
      const chains = (await seedLogins(side, TOKEN_CONNECTIONS, 'openid offline_access', 'consent')).map((tokens) => {
        if (!tokens.refresh_token) throw new SetupFailed(`${side.label}: the login gave no refresh token`);
        return { token: tokens.refresh_token, broken: false };
      });
      const url = new URL('/token', side.info.url).href;
      const authorization = basicAuthorization(side.info.web);
      return {
        round: (durationMs) => loopRound(TOKEN_CONNECTIONS, durationMs, async (worker) => {
          const chain = chains[worker]!;
          if (chain.broken) throw new WorkerStopped('chain broken in an earlier round');
          const response = await side.http.postForm(url, { grant_type: 'refresh_token', refresh_token: chain.token }, { authorization });
          const next = response.status === 200 ? (JSON.parse(response.text) as { refresh_token?: string }).refresh_token : undefined;
          if (!next || next === chain.token) {
            chain.broken = true;
            throw new WorkerStopped(`refresh: HTTP ${response.status} ${response.text.slice(0, 200)}`);
          }
          chain.token = next;
        }),
      };
    },
  };
}

export function discovery(): Scenario {
  return {
    name: 'discovery',
    description: 'GET /.well-known/openid-configuration',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [atLeast(20_000), cpuAtMost(0.7), P99_TARGET],
    async prepare(side) {
      const request: FixedRequest = { url: new URL('/.well-known/openid-configuration', side.info.url).href, verify: (body) => body.includes('"issuer"') };
      await checkOnce(side, request, 'discovery');
      return fixed(request, TOKEN_CONNECTIONS);
    },
  };
}

async function discover(side: Side): Promise<Record<string, string>> {
  const text = await checkOnce(side, { url: new URL('/.well-known/openid-configuration', side.info.url).href }, 'discovery');
  return JSON.parse(text) as Record<string, string>;
}

export function jwks(): Scenario {
  return {
    name: 'jwks',
    description: 'GET the jwks_uri (RS256, ES256, Ed25519 and EdDSA public keys)',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [atLeast(20_000), cpuAtMost(0.7), P99_TARGET],
    async prepare(side) {
      const request: FixedRequest = { url: (await discover(side)).jwks_uri!, verify: (body) => body.includes('"keys"') };
      const { keys } = JSON.parse(await checkOnce(side, request, 'jwks')) as { keys: Array<{ alg?: string }> };
      const algs = keys.map((key) => key.alg).sort().join(',');
      if (algs !== 'ES256,Ed25519,EdDSA,RS256') throw new SetupFailed(`${side.label}: unexpected JWKS algs ${algs}`);
      return fixed(request, TOKEN_CONNECTIONS);
    },
  };
}

/**
 * A cache revalidating the JWKS: GET with `If-None-Match` naming the tag the server gave. Keyline
 * answers 304 without a body; a server that sends no ETag (the bare library) answers every
 * request in full, which is what a client of it gets.
 */
export function jwks304(): Scenario {
  return {
    name: 'jwks-304',
    description: 'GET the jwks_uri with If-None-Match (304 when the ETag matches)',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [atLeast(20_000), cpuAtMost(0.7), P99_TARGET],
    async prepare(side) {
      const url = (await discover(side)).jwks_uri!;
      const first = await side.http.request(url);
      const etag = typeof first.headers.etag === 'string' ? first.headers.etag : undefined;
      const request: FixedRequest = { url, headers: { 'if-none-match': etag ?? '"no-etag-was-sent"' }, alsoSuccessful: [304] };
      const conditional = await side.http.request(url, { headers: request.headers! });
      if (etag && conditional.status !== 304) throw new SetupFailed(`${side.label}: If-None-Match ${etag} answered ${conditional.status}, not 304`);
      if (!etag && conditional.status !== 200) throw new SetupFailed(`${side.label}: the JWKS answered ${conditional.status}`);
      return { ...fixed(request, TOKEN_CONNECTIONS), ...(etag ? {} : { notes: 'sends no ETag: every conditional request gets the full 200 body' }) };
    },
  };
}

/**
 * Introspection of an opaque (userinfo) access token by the client it was issued to, which needs
 * a store lookup on both sides. (Keyline also introspects JWT access tokens; the bare library
 * refuses them with `unsupported_token_type`, so they cannot be compared side by side.)
 */
export function introspection(): Scenario {
  return {
    name: 'introspection',
    description: 'POST /token/introspection of an opaque access token',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [cpuAtMost(1.4), P99_TARGET],
    async prepare(side) {
      const endpoint = (await discover(side)).introspection_endpoint!;
      const [tokens] = await seedLogins(side, 1, 'openid email profile');
      const request: FixedRequest = {
        url: endpoint,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(side.info.web) },
        body: new URLSearchParams({ token: tokens!.access_token }).toString(),
        verify: (body) => body.includes('"active":true'),
      };
      await checkOnce(side, request, 'introspection');
      return fixed(request, TOKEN_CONNECTIONS);
    },
  };
}

/** The seeded users each side has not logged in yet: `login` and the peer's side of `login-upstream` draw from one supply. */
const usersLoggedIn = new WeakMap<Side, number>();

function freshUserEmail(side: Side): string {
  const next = usersLoggedIn.get(side) ?? 0;
  if (next >= side.info.users.count) throw new WorkerStopped(`out of fresh users (${side.info.users.count} seeded)`);
  usersLoggedIn.set(side, next + 1);
  return benchUserEmail(next);
}

/** A full password login by a never-seen user per iteration: what the bare library's side of both login scenarios runs. */
function localLogins(side: Side): Workload {
  return {
    round: (durationMs) => loopRound(LOGIN_CONCURRENCY, durationMs, async () => {
      await logIn(side.info, side.http, freshUserEmail(side), { scope: 'openid email profile' });
    }),
  };
}

/**
 * A full browser-style login per operation, each by a user never seen before (so the login page,
 * argon2id verification, consent page, code and token exchange all run): logins/s. Keyline's login
 * page lists the bench client's upstreams (read through the UpstreamDirectory for every page);
 * setup checks they are all there.
 */
export function login(): Scenario {
  return {
    name: 'login',
    description: `full login (authorize → login → consent → code → token), fresh user each, ${LOGIN_CONCURRENCY} at once`,
    unit: 'login',
    connections: LOGIN_CONCURRENCY,
    targets: [atLeast(60, 'login'), cpuAtMost(1.05), P99_TARGET],
    async prepare(side) {
      const { page } = await openLoginPage(side.info, new BrowserSession(side.http), { scope: 'openid email profile' });
      const buttons = [...upstreamButtonsOn(page).keys()];
      const offered = side.info.upstreams?.ids ?? [];
      if (page.status !== 200 || JSON.stringify(buttons) !== JSON.stringify(offered)) {
        throw new SetupFailed(`${side.label}: the login page (HTTP ${page.status}) lists upstreams [${buttons.join(', ')}], not [${offered.join(', ')}]`);
      }
      return { ...localLogins(side), ...(offered.length ? {} : { notes: 'no upstream buttons on its login page (Keyline\'s lists the client\'s upstreams)' }) };
    },
  };
}

/**
 * A sign-in through an upstream OpenID Provider per operation (issue 22's hot path): Keyline's login
 * page → the upstream's button → the upstream (the bench's own bare oidc-provider process, whose CPU
 * counts for neither side) → Keyline's callback → the return, where the id_token is checked and,
 * this being each upstream person's first sign-in, an account is made just in time and linked →
 * consent → code → token. The bare library has no relying-party side, so its figure is its own
 * password login (as in `login`): the ratio reads "a federated login costs Keyline X× what a local
 * login costs the library". Setup signs one person in and checks that the account Keyline made
 * carries the upstream's address.
 */
export function loginUpstream(): Scenario {
  return {
    name: 'login-upstream',
    description: `sign-in through an upstream OP (button → upstream → callback → just-in-time account → consent → code → token), fresh upstream user each, ${LOGIN_CONCURRENCY} at once; peer: its own password login`,
    unit: 'login',
    connections: LOGIN_CONCURRENCY,
    // No password is checked on Keyline's side, so a federated sign-in should cost it no more than the library's password login.
    targets: [atLeast(60, 'login'), cpuAtMost(1), P99_TARGET],
    async prepare(side) {
      if (!side.info.upstreams) return { ...localLogins(side), notes: 'cannot sign in through an upstream: its own password login, as in `login`' };
      const upstreamId = BENCH_UPSTREAMS[0].id;
      const run = randomBytes(4).toString('hex');
      let nextPerson = 0;
      const signIn = () => logInThroughUpstream(side.info, side.http, upstreamId, `person-${run}-${nextPerson++}`, { scope: 'openid email profile' });

      const first = await signIn().catch((error: unknown) => { throw new SetupFailed(`${side.label}: ${(error as Error).message}`); });
      const userinfo = await side.http.request((await discover(side)).userinfo_endpoint!, { headers: { authorization: `Bearer ${first.tokens.access_token}` } });
      const email = userinfo.status === 200 ? (JSON.parse(userinfo.text) as { email?: string }).email : undefined;
      if (email !== `person-${run}-0@${UPSTREAM_EMAIL_DOMAIN}`) throw new SetupFailed(`${side.label}: the federated account's userinfo answered ${userinfo.status}: ${userinfo.text.slice(0, 300)}`);
      return {
        round: (durationMs) => loopRound(LOGIN_CONCURRENCY, durationMs, async () => { await signIn(); }),
        notes: 'every iteration a first sign-in: the account is created just in time and linked',
      };
    },
  };
}

export function userinfo(): Scenario {
  return {
    name: 'userinfo',
    description: 'GET userinfo with a Bearer access token',
    unit: 'req',
    connections: TOKEN_CONNECTIONS,
    targets: [cpuAtMost(1.4), P99_TARGET],
    async prepare(side) {
      const endpoint = (await discover(side)).userinfo_endpoint!;
      const [tokens] = await seedLogins(side, 1, 'openid email profile');
      const request: FixedRequest = {
        url: endpoint,
        headers: { authorization: `Bearer ${tokens!.access_token}` },
        verify: (body) => body.includes('"email"'),
      };
      await checkOnce(side, request, 'userinfo');
      return fixed(request, TOKEN_CONNECTIONS);
    },
  };
}

export const SCENARIOS: Array<() => Scenario> = [ccRs256, ccEs256, ccRbac, refresh, discovery, jwks, jwks304, introspection, login, loginUpstream, userinfo];
