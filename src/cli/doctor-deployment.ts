import { hash, randomBytes } from 'node:crypto';
import { fetchForDoctor, setCookies, type Fetched } from './doctor-http.ts';
import { fail, ok, warn, type Finding } from './doctor-findings.ts';

export interface DeploymentTarget {
  /** The issuer URL the deployment should have, e.g. https://id.example.com */
  url: string;
  /** A registered client and redirect URI, to reach the login page and check its cookies. */
  clientId?: string;
  redirectUri?: string;
  /** Where plain http is expected to redirect to https; by default the issuer's host on port 80. */
  httpUrl?: string;
  now?: () => number;
}

interface Discovery {
  issuer?: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
  [key: string]: unknown;
}

const HSTS_MIN_SECONDS = 180 * 24 * 3600;

function endpointsOf(discovery: Discovery): Array<[string, string]> {
  return Object.entries(discovery)
    .filter(([name, value]) => (name.endsWith('_endpoint') || name === 'jwks_uri') && typeof value === 'string' && URL.canParse(value)) as Array<[string, string]>;
}

async function attempt(url: string, headers?: Record<string, string>): Promise<Fetched | Error> {
  try {
    return await fetchForDoctor(url, headers);
  } catch (error) {
    return error as Error;
  }
}

function parseJson<T>(response: Fetched): T | undefined {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    return undefined;
  }
}

function checkTls(response: Fetched, now: number): Finding {
  const { certificate } = response;
  if (!certificate?.valid_to) return fail('TLS certificate', 'the server sent no certificate', 'serve the issuer over https');
  const expires = new Date(certificate.valid_to).getTime();
  const days = Math.floor((expires - now) / 86_400_000);
  if (expires <= now) return fail('TLS certificate', `expired on ${new Date(expires).toISOString()}`, 'renew the certificate at the TLS proxy');
  if (!response.authorized) {
    return fail('TLS certificate', `not trusted (${response.authorizationError ?? 'unknown reason'})`, 'install a certificate from a trusted CA for this host (or, for a private CA, pass it to the doctor with NODE_EXTRA_CA_CERTS)');
  }
  if (days < 21) return warn('TLS certificate', `valid, but expires in ${days} days (${new Date(expires).toISOString()})`, 'renew it now; automate renewal');
  return ok('TLS certificate', `valid until ${new Date(expires).toISOString()} (${days} days)`);
}

function checkClock(response: Fetched, now: number): Finding {
  const date = response.headers.date ? Date.parse(response.headers.date) : Number.NaN;
  if (Number.isNaN(date)) return warn('clock skew', 'the server sent no Date header', 'let Keyline (or the proxy) send Date');
  // Date has a one-second resolution.
  const skew = Math.round((date - now) / 1000);
  const detail = `server clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} this machine's`;
  if (Math.abs(skew) > 30) return fail('clock skew', detail, 'run NTP (chrony, systemd-timesyncd) on the servers: tokens carry iat/exp and clients reject skewed ones');
  if (Math.abs(skew) > 2) return warn('clock skew', detail, 'check NTP on the servers (and on this machine)');
  return ok('clock skew', detail);
}

function checkHsts(response: Fetched, where: string): Finding {
  const header = response.headers['strict-transport-security'];
  const maxAge = Number(/max-age=(\d+)/i.exec(String(header ?? ''))?.[1] ?? Number.NaN);
  if (!header) return fail('HSTS', `${where} sends no Strict-Transport-Security`, 'set proxy: true (KEYLINE_PROXY=true) and have the proxy send X-Forwarded-Proto: https');
  if (!(maxAge >= HSTS_MIN_SECONDS)) return warn('HSTS', `${where}: max-age=${maxAge} is under 180 days`, 'use max-age of a year');
  return ok('HSTS', `${where}: ${header}`);
}

function checkCookies(cookies: string[]): Finding {
  const set = cookies.filter((cookie) => !/=;|expires=Thu, 01 Jan 1970/i.test(cookie));
  if (set.length === 0) return warn('cookie flags', 'the login flow set no cookies', 'check that --client-id and --redirect-uri name a registered client');
  const problems = set.flatMap((cookie) => {
    const name = cookie.slice(0, cookie.indexOf('='));
    const flags = cookie.toLowerCase();
    const missing = [
      /;\s*secure/.test(flags) ? '' : 'Secure',
      /;\s*httponly/.test(flags) ? '' : 'HttpOnly',
      /;\s*samesite=(lax|strict)/.test(flags) ? '' : 'SameSite=Lax',
      /^__(host|secure)-/i.test(name) ? '' : '__Host-/__Secure- prefix',
    ].filter(Boolean);
    return missing.length ? [`${name} lacks ${missing.join(', ')}`] : [];
  });
  if (problems.length) return fail('cookie flags', problems.join('; '), 'serve an https issuer with proxy: true, so Keyline marks cookies Secure and prefixes them');
  return ok('cookie flags', `${set.length} cookies on the login flow are Secure, HttpOnly, SameSite and prefixed`);
}

/** Everything the doctor can see of a running deployment from outside, one finding per check. */
export async function checkDeployment(target: DeploymentTarget): Promise<{ findings: Finding[]; jwksKids: string[] }> {
  const now = target.now ?? Date.now;
  const issuer = target.url.replace(/\/$/, '');
  const findings: Finding[] = [];
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  const response = await attempt(discoveryUrl);
  if (response instanceof Error || response.status !== 200) {
    findings.push(fail('discovery', `${discoveryUrl} ${response instanceof Error ? `cannot be reached (${response.message})` : `answered ${response.status}`}`,
      'check the URL, DNS, the proxy and that Keyline runs'));
    return { findings, jwksKids: [] };
  }
  const discovery = parseJson<Discovery>(response);
  if (!discovery) {
    findings.push(fail('discovery', `${discoveryUrl} is not JSON`, 'point the proxy at Keyline'));
    return { findings, jwksKids: [] };
  }
  findings.push(ok('discovery', `${discoveryUrl} answers`));

  findings.push(discovery.issuer === issuer
    ? ok('issuer', `exactly ${issuer}`)
    : fail('issuer', `discovery says "${discovery.issuer}", but it is served at ${issuer}`, `set issuer (KEYLINE_ISSUER) to exactly ${issuer}: clients compare it character for character`));

  const origin = new URL(issuer).origin;
  const offOrigin = endpointsOf(discovery).filter(([, value]) => new URL(value).origin !== origin || !value.startsWith('https://'));
  findings.push(offOrigin.length === 0
    ? ok('endpoints', `all ${endpointsOf(discovery).length} on ${origin} over https`)
    : fail('endpoints', `${offOrigin.map(([name, value]) => `${name} ${value}`).join(', ')} not on ${origin} over https`,
      'set an https issuer, proxy: true, and have the proxy pass Host and X-Forwarded-Proto: https'));

  if (new URL(issuer).protocol === 'https:') findings.push(checkTls(response, now()));
  else findings.push(fail('TLS certificate', `${issuer} is plain http`, 'serve Keyline behind a TLS-terminating proxy with an https issuer'));
  findings.push(checkClock(response, now()));

  let jwksKids: string[] = [];
  const jwks = discovery.jwks_uri ? await attempt(discovery.jwks_uri) : new Error('discovery has no jwks_uri');
  if (jwks instanceof Error || jwks.status !== 200) {
    findings.push(fail('JWKS', `${discovery.jwks_uri ?? 'jwks_uri'} ${jwks instanceof Error ? jwks.message : `answered ${jwks.status}`}`, 'check the proxy routes /jwks to Keyline'));
  } else {
    const keys = parseJson<{ keys?: Array<{ kid?: string; alg?: string }> }>(jwks)?.keys ?? [];
    jwksKids = keys.flatMap((key) => (key.kid ? [key.kid] : []));
    const needed = discovery.id_token_signing_alg_values_supported ?? [];
    const missing = needed.filter((alg) => !keys.some((key) => key.alg === alg && key.kid));
    const duplicateKids = jwksKids.filter((kid, index) => jwksKids.indexOf(kid) !== index);
    if (missing.length) findings.push(fail('JWKS', `no key for ${missing.join(', ')}, which discovery advertises for id_tokens`, 'restart Keyline so it generates the missing keys; check `keyline keys list`'));
    else if (duplicateKids.length) findings.push(fail('JWKS', `duplicate kid ${duplicateKids.join(', ')}`, 'retire the duplicate with `keyline keys retire`'));
    else findings.push(ok('JWKS', `${keys.length} keys, one or more for each of ${needed.join(', ')}`));
    const maxAge = /max-age=(\d+)/.exec(String(jwks.headers['cache-control'] ?? ''))?.[1];
    if (!maxAge) findings.push(warn('JWKS caching', 'no Cache-Control max-age', 'do not let the proxy strip Cache-Control from /jwks'));
  }

  const forged = await attempt(discoveryUrl, { 'x-forwarded-proto': 'http' });
  const forgedDiscovery = forged instanceof Error ? undefined : parseJson<Discovery>(forged);
  if (forgedDiscovery && endpointsOf(forgedDiscovery).some(([, value]) => value.startsWith('http://'))) {
    findings.push(fail('X-Forwarded-Proto', 'a client-sent X-Forwarded-Proto: http reaches Keyline, which then advertises http:// endpoints',
      'have the proxy overwrite X-Forwarded-Proto (e.g. nginx: proxy_set_header X-Forwarded-Proto $scheme)'));
  } else {
    findings.push(ok('X-Forwarded-Proto', 'a client-sent X-Forwarded-Proto changes no endpoint (they are built from the issuer)'));
  }
  const plainUrl = target.httpUrl ?? `http://${new URL(issuer).hostname}/`;
  const plain = await attempt(plainUrl);
  if (plain instanceof Error) findings.push(ok('http → https', `${plainUrl} is not served (${plain.message})`));
  else if (plain.status >= 300 && plain.status < 400 && String(plain.headers.location ?? '').startsWith('https://')) findings.push(ok('http → https', `${plainUrl} redirects to ${plain.headers.location}`));
  else findings.push(fail('http → https', `${plainUrl} answers ${plain.status} over plain http`, 'redirect http to https at the proxy (301/308)'));

  if (target.clientId && target.redirectUri) {
    findings.push(...await checkLoginPage(issuer, discovery, target.clientId, target.redirectUri));
  } else {
    const page = await attempt(discovery.authorization_endpoint ?? `${issuer}/auth`, { accept: 'text/html' });
    if (!(page instanceof Error)) findings.push(checkHsts(page, 'the authorization endpoint'));
    findings.push(warn('cookie flags', 'not checked', 'pass --client-id and --redirect-uri of a registered client to check the login page\'s cookies'));
  }
  return { findings, jwksKids };
}

async function checkLoginPage(issuer: string, discovery: Discovery, clientId: string, redirectUri: string): Promise<Finding[]> {
  const challenge = hash('sha256', randomBytes(32).toString('base64url'), 'base64url');
  const authorize = new URL(discovery.authorization_endpoint ?? `${issuer}/auth`);
  for (const [name, value] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })) {
    authorize.searchParams.set(name, value);
  }
  const cookies: string[] = [];
  let response = await attempt(authorize.href, { accept: 'text/html' });
  for (let hops = 0; hops < 5 && !(response instanceof Error) && response.status >= 300 && response.status < 400; hops += 1) {
    cookies.push(...setCookies(response.headers));
    if (!response.headers.location || !URL.canParse(response.headers.location, authorize.href)) break;
    const next = new URL(response.headers.location, authorize);
    if (next.origin !== new URL(issuer).origin) break;
    response = await attempt(next.href, { accept: 'text/html', cookie: cookies.map((cookie) => cookie.split(';')[0]).join('; ') });
  }
  if (response instanceof Error || response.status !== 200) {
    return [fail('login page', `the authorization request did not reach a login page (${response instanceof Error ? response.message : response.status})`, 'check --client-id and --redirect-uri')];
  }
  cookies.push(...setCookies(response.headers));
  return [checkHsts(response, 'the login page'), checkCookies(cookies)];
}
