import fc from 'fast-check';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  authorizeUrl, basicAuth, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn, tokenRequest,
  type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { header, sendRaw, type RawRequest, type RawResponse } from '../support/fuzz/raw-http.ts';
import { ENDPOINTS, fuzzCaseArbitrary, INJECTED_HEADER, type FuzzCase, type FuzzTargets } from '../support/fuzz/request-arbitraries.ts';
import { withTokensAtRest } from '../../src/oidc/tokens-at-rest.ts';

/**
 * Malformed requests to every endpoint, composed by fast-check: whatever arrives, Keyline answers
 * below 500, leaks no stack trace or internal path, never lets a CR/LF into a header, and a refused
 * request changes nothing in the store. FUZZ_SEED and FUZZ_RUNS override the defaults.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_100);
const MINIMUM_REQUESTS = 2_000;

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;
const INTERNAL_PATH = /\/work\/|node_modules|src\/.*\.ts/;
const REFLECTED_MARKUP = /<script>alert\(1\)|"><img src=x>/;
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*$/;

const MODELS = ['Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken'] as const;

async function storeSnapshot(kl: RunningKeyline, accountId: string, clientId: string, interactionUid?: string) {
  const records: Record<string, string[]> = {};
  for (const model of MODELS) records[model] = (await kl.store.oidc.listByAccount(model, accountId)).map((record) => record.id).sort();
  return {
    accounts: (await kl.store.accounts.list()).map((account) => JSON.stringify(account)).sort(),
    clients: (await kl.store.clients.list()).map((client) => JSON.stringify(client)).sort(),
    seededClient: (await kl.store.clients.find(clientId))?.metadata,
    records,
    consent: JSON.stringify(await kl.store.consents.find(accountId, clientId)),
    signingKeys: (await kl.store.signingKeys.list()).map((key) => key.kid).sort(),
    interaction: interactionUid ? JSON.stringify(await kl.store.oidc.find('Interaction', interactionUid)) : undefined,
  };
}

function describeRequest(request: RawRequest): string {
  const target = Buffer.from(request.target).toString('latin1');
  const headers = request.headers.map(([name, value]) => `${name}: ${Buffer.from(value).toString('latin1').slice(0, 80)}`);
  const body = request.body ? `${request.body.length} bytes: ${request.body.subarray(0, 200).toString('latin1')}` : 'none';
  return `${request.method} ${target.slice(0, 300)}${target.length > 300 ? `… (${target.length} chars)` : ''}\n`
    + `  headers: ${JSON.stringify(headers)}${request.omitHost ? ' (no Host)' : ''}${request.chunked ? ' (chunked)' : ''}\n  body: ${JSON.stringify(body)}`;
}

/** Everything that must hold for any answer to any request; returns the violations. */
function violations(request: RawRequest, response: RawResponse): string[] {
  const problems: string[] = [];
  const sent = Buffer.concat([Buffer.from(request.target), ...(request.body ? [request.body] : [])]).toString('latin1');
  if (response.status >= 500) problems.push(`status ${response.status}`);
  if (STACK_TRACE.test(response.body)) problems.push('a stack trace in the body');
  const internal = INTERNAL_PATH.exec(response.body);
  if (internal && !sent.includes(internal[0])) problems.push(`an internal path in the body: ${internal[0]}`);
  const location = header(response, 'location');
  if (location !== undefined && /[\r\n]/.test(location)) problems.push(`CR/LF in Location: ${JSON.stringify(location)}`);
  for (const line of response.rawHeaderBlock.split('\r\n').slice(1)) {
    if (!HEADER_LINE.test(line)) problems.push(`a malformed header line: ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (response.headers.some(([name, value]) => name === INJECTED_HEADER || value.includes(INJECTED_HEADER) && name === 'set-cookie')) {
    problems.push('a header injected through CR/LF in a parameter');
  }
  if (/text\/html/.test(header(response, 'content-type') ?? '') && REFLECTED_MARKUP.test(response.body)) problems.push('unescaped markup reflected into HTML');
  return problems;
}

describe('malformed requests to every endpoint', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  let user: TestUser;
  let targets: FuzzTargets;

  beforeAll(async () => {
    kl = await startKeyline();
    client = await registerTestClient(kl);
    user = await createTestUser(kl);
    // The seeded account has a live session, grant, code-issued tokens and a remembered consent:
    // refused requests must neither add to them nor remove them.
    const signedIn = await signIn(kl, client, user, { scope: 'openid email offline_access', params: { prompt: 'consent' } });
    const tokens = await exchangeCode(kl, client, signedIn);
    expect(tokens.status).toBe(200);

    // A second, anonymous browser starts an authorization and stops at the login page.
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    const started = await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', state: 'fuzz' }));
    const interactionUrl = started.location!;
    const loginPage = await browser.get(interactionUrl);
    expect(loginPage.status).toBe(200);
    const interactionUid = new URL(interactionUrl).pathname.split('/')[2]!;
    targets = {
      clientId: client.clientId,
      redirectUri: client.redirectUri,
      clientBasicAuth: basicAuth(client),
      interactionUid,
      interactionCookie: await browser.jar.getCookieString(interactionUrl),
      csrf: hiddenField(loginPage.text, 'csrf')!,
      email: user.email,
      accessToken: String(tokens.body.access_token),
    };
    expect(targets.interactionCookie).toContain('keyline.interaction=');
  });
  afterAll(async () => {
    await kl?.stop();
  });

  test('valid but refused requests get precise OAuth errors and change nothing', async () => {
    const other = await createTestUser(kl);
    const otherClient = await registerTestClient(kl, { name: 'Other App' });
    const signedIn = await signIn(kl, client, other);
    const before = await storeSnapshot(kl, other.id, client.clientId);
    const exchange = { grant_type: 'authorization_code', code: signedIn.code, code_verifier: signedIn.verifier, redirect_uri: client.redirectUri };

    const wrongSecret = await tokenRequest(kl, { ...client, clientSecret: 'not-the-secret' }, exchange);
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: 'invalid_client', error_description: 'client authentication failed' });

    const unknownClient = await tokenRequest(kl, { ...client, clientId: 'no-such-client' }, exchange);
    expect(unknownClient.status).toBe(401);
    expect(unknownClient.body.error).toBe('invalid_client');

    const wrongClient = await tokenRequest(kl, otherClient, exchange);
    expect(wrongClient.status).toBe(400);
    expect(wrongClient.body).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid' });

    const unsupported = await tokenRequest(kl, client, { grant_type: 'password', username: other.email, password: other.password });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error).toBe('unsupported_grant_type');

    const introspection = await fetch(new URL('/token/introspection', kl.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth({ ...client, clientSecret: 'wrong' }) },
      body: new URLSearchParams({ token: targets.accessToken }).toString(),
    });
    expect(introspection.status).toBe(401);
    expect(await introspection.json()).toMatchObject({ error: 'invalid_client' });

    const userinfo = await fetch(new URL('/me', kl.url), { headers: { authorization: 'Bearer not-a-token' } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const unknownAtAuthorize = await new BrowserLikeClient().get(authorizeUrl(kl, { ...client, clientId: 'no-such-client' }, { state: 's' }));
    expect(unknownAtAuthorize.status).toBe(400);
    expect(unknownAtAuthorize.location).toBeUndefined();
    expect(unknownAtAuthorize.text).toContain('invalid_client');

    // Expire the code in place (its payload's exp), as if the user had waited too long before the exchange.
    // Codes are stored under their hash: read and write them as the provider does.
    const records = withTokensAtRest(kl.store).oidc;
    const code = await records.find('AuthorizationCode', signedIn.code);
    expect(code).toBeDefined();
    await records.upsert('AuthorizationCode', signedIn.code, { ...code, exp: Math.floor(Date.now() / 1000) - 5 }, 60);
    const expired = await exchangeCode(kl, client, signedIn);
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    expect(expired.headers.get('cache-control')).toBe('no-store');

    expect(await storeSnapshot(kl, other.id, client.clientId)).toEqual(before);
  });

  test(`${MINIMUM_REQUESTS}+ malformed requests: never a 5xx, a leak, a split header or a changed store`, async () => {
    const before = await storeSnapshot(kl, user.id, client.clientId, targets.interactionUid);
    const logLinesBefore = kl.logs.length;
    const perEndpoint = new Map<string, number>(ENDPOINTS.map((spec) => [spec.name, 0]));
    const perTag = new Map<string, number>();
    const statuses = new Map<number, number>();
    let sent = 0;
    let waiting = 0;
    const started = performance.now();
    console.log(`fuzz: seed ${SEED}, ${RUNS} runs (FUZZ_SEED / FUZZ_RUNS to change)`);

    await fc.assert(
      fc.asyncProperty(fuzzCaseArbitrary(targets), async (fuzzCase: FuzzCase) => {
        sent += 1;
        perEndpoint.set(fuzzCase.endpoint, (perEndpoint.get(fuzzCase.endpoint) ?? 0) + 1);
        for (const tag of fuzzCase.tags) perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
        const requestStarted = performance.now();
        const response = await sendRaw(kl.url, fuzzCase.request);
        waiting += performance.now() - requestStarted;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const problems = violations(fuzzCase.request, response);
        if (problems.length > 0) {
          throw new Error(`${fuzzCase.endpoint}: ${problems.join('; ')}\n${describeRequest(fuzzCase.request)}\n`
            + `  answered ${response.status}: ${response.body.slice(0, 600)}`);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );

    const seconds = (performance.now() - started) / 1000;
    console.log([
      `fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${(waiting / 1000).toFixed(1)} s waiting for answers)`,
      `statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}`,
      `endpoints: ${[...perEndpoint].map(([name, count]) => `${name} ${count}`).join(', ')}`,
      `damage: ${[...perTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, count]) => `${tag} ${count}`).join(', ')}`,
    ].join('\n'));

    expect(sent).toBeGreaterThanOrEqual(MINIMUM_REQUESTS);
    for (const [name, count] of perEndpoint) expect([name, count >= 40]).toEqual([name, true]);
    for (const tag of ['oversized', 'nul', 'crlf', 'invalid-utf8', 'duplicate-or-array', 'huge-state', 'authorization',
      'body:json', 'body:truncated-json', 'body:text-plain', 'body:multipart', 'body:no-content-type']) {
      expect([tag, (perTag.get(tag) ?? 0) >= 10]).toEqual([tag, true]);
    }
    expect(await storeSnapshot(kl, user.id, client.clientId, targets.interactionUid)).toEqual(before);
    const errorLines = kl.logs.slice(logLinesBefore).filter((line) => /"level":(50|60)/.test(line));
    expect(errorLines).toEqual([]);
  }, 120_000);
});
