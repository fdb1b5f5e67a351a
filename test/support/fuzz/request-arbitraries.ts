import fc from 'fast-check';
import type { RawRequest } from './raw-http.ts';

/**
 * fast-check arbitraries for malformed requests to every Keyline endpoint: an endpoint is picked,
 * a well-formed baseline for it is built from real values (so mutations reach deep code), then
 * parameters, encoding, headers, method and path are mutated.
 */

/** Real values a request can borrow so that it gets past the first checks. */
export interface FuzzTargets {
  clientId: string;
  redirectUri: string;
  /** `Basic ...` with the seeded client's real credentials. */
  clientBasicAuth: string;
  /** The uid of a live interaction (at its login prompt) started for these tests. */
  interactionUid: string;
  /** `keyline.interaction=...; keyline.interaction.sig=...` for that interaction. */
  interactionCookie: string;
  /** The CSRF token of that interaction's login form. */
  csrf: string;
  /** The seeded account's email. */
  email: string;
  /** A live access token of the seeded account (only ever presented to userinfo). */
  accessToken: string;
}

/** The marker a CRLF-injection attempt tries to turn into a response header. */
export const INJECTED_HEADER = 'x-keyline-fuzz-injected';

/** A parameter value: the bytes that go on the wire (already url-encoded, or not) and the text it stands for. */
export interface Value {
  wire: Buffer;
  text: string;
}

interface Param {
  key: string;
  value: Value;
}

type Slot = 'query' | 'body';

export interface EndpointSpec {
  name: string;
  methods: string[];
  /** Where the endpoint reads its parameters when called with its first method. */
  slot: Slot;
  params: string[];
  baseline(t: FuzzTargets): Array<[string, string]>;
  path: fc.Arbitrary<(t: FuzzTargets) => { path: string; withInteractionCookie: boolean }>;
  /** Keyline's own form endpoints (16 KiB limit) rather than oidc-provider's (56 KiB). */
  keylineForm?: boolean;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function percentEncode(bytes: Buffer): Buffer {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return Buffer.from(out, 'latin1');
}

/** Decodes %XX leniently (bad escapes stay as they are), then reads the bytes as UTF-8. */
function lenientDecode(wire: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < wire.length; index += 1) {
    const hex = wire.slice(index + 1, index + 3);
    if (wire[index] === '%' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(wire.charCodeAt(index) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const encoded = (wire: string): Value => ({ wire: Buffer.from(wire, 'latin1'), text: lenientDecode(wire) });
const plain = (text: string): Value => ({ wire: percentEncode(Buffer.from(text, 'utf8')), text });

const NASTY_FRAGMENTS = [
  '%C3%28', '%FF', '%FE%FF', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%E2%82', '%00', 'a%00b', '%0d%0a', '%0D%0A%0D%0A',
  `%0D%0A${INJECTED_HEADER}:%20yes`, `%0d%0aSet-Cookie:%20${INJECTED_HEADER}=1`, '%0a', '%0d', '%E2%80%A8', '%EF%BB%BF',
  '%', '%G1', '%%', '%2', '+', '%2B', '%25', '%26', '%3D', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f',
  'javascript:alert(1)', 'http://evil.example/cb', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%22%3E%3Cimg%20src=x%3E',
  '%7B%22a%22%3A1%7D', '%5B%5D', 'null', 'undefined', 'true', '-1', '0', '1e400', 'NaN', '__proto__', 'constructor',
  '%F0%9F%92%A5', '%D8%B3%D9%84%D8%A7%D9%85', '%E4%BD%A0%E5%A5%BD',
];

/** Raw bytes sent without url-encoding: invalid UTF-8, NUL and CR/LF straight on the wire. */
const RAW_BYTE_SNIPPETS = [[0xff], [0xc3, 0x28], [0x00], [0x0d, 0x0a], [0x0a], [0xe2, 0x82], [0x80, 0x81], [0xf0, 0x9f, 0x92, 0xa5]];

/** Sizes around the limits: Node's 16 KiB header limit, Keyline's 16 KiB forms, oidc-provider's 56 KiB bodies. */
const HUGE_SIZES = [4 * 1024, 12 * 1024, 17 * 1024, 57 * 1024, 70 * 1024];

function hugeValue(size: number, fill: string): Value {
  const text = fill.repeat(Math.ceil(size / fill.length)).slice(0, size);
  return { wire: Buffer.from(text, 'latin1'), text };
}

function valueArbitrary(baseline: Value | undefined): fc.Arbitrary<Value> {
  const options: Array<fc.WeightedArbitrary<Value>> = [
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_FRAGMENTS).map(encoded) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(plain) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes) => ({ wire: percentEncode(Buffer.from(bytes)), text: Buffer.from(bytes).toString('utf8') })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...RAW_BYTE_SNIPPETS)).map(([prefix, bytes]) => {
        const wire = Buffer.concat([Buffer.from(prefix.replace(/[&=#%\s]/g, ''), 'latin1'), Buffer.from(bytes)]);
        return { wire, text: wire.toString('utf8') };
      }),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HUGE_SIZES), fc.constantFrom('A', 'x%00', '%FF', 'é')).map(([size, fill]) => hugeValue(size, fill)) },
    { weight: 1, arbitrary: fc.constant(encoded('')) },
  ];
  if (baseline) {
    options.push({ weight: 3, arbitrary: fc.constant(baseline) });
    options.push({
      weight: 3,
      arbitrary: fc.constantFrom(...NASTY_FRAGMENTS).map((fragment) => ({
        wire: Buffer.concat([baseline.wire, Buffer.from(fragment, 'latin1')]),
        text: baseline.text + lenientDecode(fragment),
      })),
    });
  }
  return fc.oneof(...options);
}

const COMMON_PARAMS = [
  'client_id', 'client_secret', 'redirect_uri', 'state', 'scope', 'nonce', 'response_type', 'resource', 'claims',
  'request', 'request_uri', 'code', 'token', 'access_token', 'xsrf', 'csrf', 'email', 'password',
];

type Mutation =
  | { kind: 'set'; key: string; value: Value }
  | { kind: 'duplicate'; key: string; value: Value }
  | { kind: 'delete'; key: string }
  | { kind: 'array-shape'; key: string; shape: string; value: Value };

function mutationArbitrary(spec: EndpointSpec, baseline: Map<string, Value>): fc.Arbitrary<Mutation> {
  const keys = [...new Set([...spec.params, ...COMMON_PARAMS])];
  const keyArb = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((key) => percentEncode(Buffer.from(key)).toString('latin1')) },
  );
  const valued = (kind: 'set' | 'duplicate') => keyArb.chain((key) => valueArbitrary(baseline.get(key)).map((value): Mutation => ({ kind, key, value })));
  const hugeState = fc.constantFrom(3 * 1024, 6 * 1024, 12 * 1024, 57 * 1024)
    .map((size): Mutation => ({ kind: 'set', key: 'state', value: hugeValue(size, 'S') }));
  return fc.oneof(
    { weight: spec.params.includes('state') ? 2 : 0, arbitrary: hugeState },
    { weight: 6, arbitrary: valued('set') },
    { weight: 2, arbitrary: valued('duplicate') },
    { weight: 1, arbitrary: keyArb.map((key) => ({ kind: 'delete' as const, key })) },
    {
      weight: 2,
      arbitrary: fc.tuple(keyArb, fc.constantFrom('[]', '[0]', '[a]', '[][]', '[a][b]', '.a', '[__proto__]'), valueArbitrary(undefined))
        .map(([key, shape, value]) => ({ kind: 'array-shape' as const, key, shape, value })),
    },
  );
}

function applyMutations(baseline: Array<[string, Value]>, mutations: Mutation[]): Param[] {
  let params: Param[] = baseline.map(([key, value]) => ({ key, value }));
  for (const mutation of mutations) {
    if (mutation.kind === 'set') {
      const index = params.findIndex((param) => param.key === mutation.key);
      if (index >= 0) params[index] = { key: mutation.key, value: mutation.value };
      else params.push({ key: mutation.key, value: mutation.value });
    } else if (mutation.kind === 'duplicate') {
      params.push({ key: mutation.key, value: mutation.value });
    } else if (mutation.kind === 'delete') {
      params = params.filter((param) => param.key !== mutation.key);
    } else {
      params.push({ key: `${mutation.key}${encodeURIComponent(mutation.shape)}`, value: mutation.value });
      params.push({ key: `${mutation.key}${mutation.shape}`, value: mutation.value });
    }
  }
  return params;
}

function formEncode(params: Param[]): Buffer {
  const parts: Buffer[] = [];
  params.forEach((param, index) => {
    if (index > 0) parts.push(Buffer.from('&'));
    parts.push(Buffer.from(param.key, 'latin1'), Buffer.from('='), param.value.wire);
  });
  return Buffer.concat(parts);
}

function asObject(params: Param[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const { key, value } of params) {
    const existing = object[key];
    object[key] = existing === undefined ? value.text : Array.isArray(existing) ? [...existing, value.text] : [existing, value.text];
  }
  return object;
}

const BODY_ENCODINGS = [
  'form', 'form', 'form', 'json', 'truncated-json', 'json-array', 'text-plain', 'multipart', 'multipart-no-boundary',
  'no-content-type', 'form-latin1', 'form-utf16', 'form-bogus-charset', 'form-uppercase', 'junk-content-type',
  'raw-bytes', 'empty', 'chunked-form', 'gzip-claimed',
] as const;
type BodyEncoding = (typeof BODY_ENCODINGS)[number];

interface EncodedBody {
  headers: Array<[string, string]>;
  body: Buffer;
  chunked?: boolean;
}

function encodeBody(encoding: BodyEncoding, params: Param[], cut: number, junk: Uint8Array): EncodedBody {
  const form = formEncode(params);
  const json = Buffer.from(JSON.stringify(asObject(params)), 'utf8');
  const formType = (type: string): EncodedBody => ({ headers: [['Content-Type', type]], body: form });
  switch (encoding) {
    case 'form': return formType('application/x-www-form-urlencoded');
    case 'json': return { headers: [['Content-Type', 'application/json']], body: json };
    case 'truncated-json': return { headers: [['Content-Type', 'application/json']], body: json.subarray(0, Math.floor(json.length * cut)) };
    case 'json-array': return { headers: [['Content-Type', 'application/json']], body: Buffer.from(JSON.stringify([asObject(params), 1, null])) };
    case 'text-plain': return formType('text/plain');
    case 'multipart': {
      const parts = params.map(({ key, value }) => Buffer.concat([
        Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n`, 'latin1'), Buffer.from(value.text, 'utf8'), Buffer.from('\r\n'),
      ]));
      return { headers: [['Content-Type', 'multipart/form-data; boundary=XyZ']], body: Buffer.concat([...parts, Buffer.from('--XyZ--\r\n')]) };
    }
    case 'multipart-no-boundary': return formType('multipart/form-data');
    case 'no-content-type': return { headers: [], body: form };
    case 'form-latin1': return formType('application/x-www-form-urlencoded; charset=iso-8859-1');
    case 'form-utf16': return formType('application/x-www-form-urlencoded; charset=utf-16');
    case 'form-bogus-charset': return formType('application/x-www-form-urlencoded; charset=x-no-such-charset');
    case 'form-uppercase': return formType('APPLICATION/X-WWW-FORM-URLENCODED;;;');
    case 'junk-content-type': return formType(';;=/\u00ff');
    case 'raw-bytes': return { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: Buffer.concat([form, Buffer.from('&'), Buffer.from(junk)]) };
    case 'empty': return { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: Buffer.alloc(0) };
    case 'chunked-form': return { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: form, chunked: true };
    case 'gzip-claimed': return { headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Encoding', 'gzip']], body: form };
  }
}

const base64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

function authorizationArbitrary(t: FuzzTargets): fc.Arbitrary<Array<[string, Buffer | string]>> {
  const one = fc.oneof(
    fc.constantFrom(
      t.clientBasicAuth, `Bearer ${t.accessToken}`, 'Basic !!!not-base64!!!', `Basic ${base64('no-colon-here')}`, `Basic ${base64(':')}`, 'Basic ', 'Basic',
      `Basic ${base64(`${t.clientId}:wrong-secret`)}`, `Basic ${base64(`${t.clientId}:`)}`, `Basic ${base64('%ZZ:%')}`,
      `Basic ${base64(`${encodeURIComponent(t.clientId)}%00:x`)}`, `Basic ${base64('a:b:c')}`, `Basic ${base64('x'.repeat(9000))}`,
      'Bearer', 'Bearer ', 'Bearer junk.junk.junk', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `Bearer ${'A'.repeat(12_000)}`,
      'Bearer a b c', 'Digest username="x"', 'Negotiate YII=', 'basic', `BASIC ${base64('a:b')}`, 'Bearer \u00ff\u00fe\u0080',
    ),
    fc.uint8Array({ maxLength: 48 }).map((bytes) => `Basic ${base64(bytes)}`),
    fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.concat([Buffer.from('Basic '), Buffer.from(bytes.filter((byte) => byte !== 0x0d && byte !== 0x0a))])),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => Buffer.concat([Buffer.from('Bearer '), Buffer.from(text.replace(/[\r\n]/g, ''), 'utf8')])),
  );
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant<Array<[string, Buffer | string]>>([]) },
    { weight: 5, arbitrary: one.map((value) => [['Authorization', value] as [string, Buffer | string]]) },
    { weight: 1, arbitrary: fc.tuple(one, one).map(([a, b]) => [['Authorization', a], ['Authorization', b]] as Array<[string, Buffer | string]>) },
  );
}

function otherHeadersArbitrary(t: FuzzTargets, withInteractionCookie: boolean): fc.Arbitrary<Array<[string, Buffer | string]>> {
  const cookie = fc.oneof(
    { weight: withInteractionCookie ? 6 : 1, arbitrary: fc.constant<string | null>(t.interactionCookie) },
    { weight: withInteractionCookie ? 1 : 4, arbitrary: fc.constant<string | null>(null) },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(
      'keyline.interaction=junk; keyline.interaction.sig=junk', `keyline.interaction=${t.interactionUid}`,
      `keyline.interaction=${t.interactionUid}; keyline.interaction.sig=AAAA`, 'keyline.session=x; keyline.session.sig=y',
      `a=${'b'.repeat(10_000)}`, '=; ;;; =', 'keyline.interaction=%FF%00', '\u00ff\u00fe=\u0080',
    ) },
  );
  const extra = fc.constantFrom<[string, string]>(
    ['Accept', 'application/json'], ['Accept', 'text/html'], ['Accept', '*/*'], ['Accept', ';;;q=x'], ['Accept', 'text/html;q=0, application/json;q=0'],
    ['X-Forwarded-For', '1.2.3.4, junk'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'evil.example'],
    ['X-Request-Id', '../../\u00ff\u00fe'], ['X-Request-Id', 'x'.repeat(500)], ['Origin', 'null'], ['Origin', 'http://evil.example'],
    ['Expect', '100-continue'], ['Accept-Language', '\u00ff;;;'], ['Range', 'bytes=0-0'], ['If-None-Match', '*'],
    ['Transfer-Encoding', 'chunked'], ['Content-Length', '5'], ['User-Agent', 'x'.repeat(8000)],
  );
  return fc.tuple(cookie, fc.array(extra, { maxLength: 3 }))
    .map(([cookieValue, extras]) => [...(cookieValue === null ? [] : [['Cookie', cookieValue] as [string, string]]), ...extras]);
}

const samePath = (path: string) => fc.constant(() => ({ path, withInteractionCookie: false }));

/** Mutations of a path that should not reach a different route: trailing slash, case, NUL, dot segments. */
function pathVariants(path: string) {
  return fc.oneof(
    { weight: 8, arbitrary: samePath(path) },
    { weight: 1, arbitrary: fc.constantFrom(`${path}/`, path.toUpperCase(), `/${path}`, `${path}%00`, `${path};x=y`, `${path}/..`, `${path}%2F..%2F`).map((variant) => () => ({ path: variant, withInteractionCookie: false })) },
  );
}

const BOGUS_UIDS = ['bogus-uid-0000000000000000000000000000000', '', 'x'.repeat(5000), '%00', '..%2F..%2Fjwks', '%FF%FE', '%E2%80%A8', '{uid}', 'a%0d%0ab'];

/** The real uid (with its cookie), the real uid without the cookie, or a bogus uid with or without the real cookie. */
function interactionPath(suffix: string) {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant((t: FuzzTargets) => ({ path: `/interaction/${t.interactionUid}${suffix}`, withInteractionCookie: true })) },
    { weight: 2, arbitrary: fc.constantFrom(...BOGUS_UIDS).map((uid) => (_t: FuzzTargets) => ({ path: `/interaction/${uid}${suffix}`, withInteractionCookie: true })) },
    { weight: 1, arbitrary: fc.constantFrom(...BOGUS_UIDS).map((uid) => (_t: FuzzTargets) => ({ path: `/interaction/${uid}${suffix}`, withInteractionCookie: false })) },
  );
}

const AUTH_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method',
  'prompt', 'max_age', 'login_hint', 'ui_locales', 'claims', 'resource', 'request', 'request_uri', 'response_mode', 'id_token_hint', 'acr_values'];
const CLIENT_AUTH_PARAMS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

export const ENDPOINTS: EndpointSpec[] = [
  { name: 'discovery', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: pathVariants('/.well-known/openid-configuration') },
  { name: 'jwks', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: pathVariants('/jwks') },
  {
    name: 'authorization', methods: ['GET', 'POST'], slot: 'query', params: AUTH_PARAMS, path: pathVariants('/auth'),
    baseline: (t) => [['client_id', t.clientId], ['redirect_uri', t.redirectUri], ['response_type', 'code'], ['scope', 'openid email'],
      ['state', 'fuzz-state'], ['nonce', 'fuzz-nonce'], ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'], ['code_challenge_method', 'S256']],
  },
  {
    name: 'token', methods: ['POST'], slot: 'body', path: pathVariants('/token'),
    params: ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'refresh_token', 'scope', 'resource', ...CLIENT_AUTH_PARAMS],
    baseline: (t) => [['grant_type', 'authorization_code'], ['code', 'not-a-real-code'], ['code_verifier', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'], ['redirect_uri', t.redirectUri]],
  },
  { name: 'userinfo', methods: ['GET', 'POST'], slot: 'query', params: ['access_token', 'claims'], baseline: () => [], path: pathVariants('/me') },
  {
    name: 'introspection', methods: ['POST'], slot: 'body', path: pathVariants('/token/introspection'),
    params: ['token', 'token_type_hint', ...CLIENT_AUTH_PARAMS], baseline: () => [['token', 'not-a-real-token'], ['token_type_hint', 'access_token']],
  },
  {
    name: 'revocation', methods: ['POST'], slot: 'body', path: pathVariants('/token/revocation'),
    params: ['token', 'token_type_hint', ...CLIENT_AUTH_PARAMS], baseline: () => [['token', 'not-a-real-token'], ['token_type_hint', 'refresh_token']],
  },
  {
    name: 'end-session', methods: ['GET', 'POST'], slot: 'query', path: pathVariants('/session/end'),
    params: ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id', 'logout_hint', 'ui_locales'],
    baseline: (t) => [['client_id', t.clientId], ['post_logout_redirect_uri', 'http://127.0.0.1:9/signed-out'], ['state', 'fuzz-state']],
  },
  { name: 'end-session-confirm', methods: ['POST'], slot: 'body', params: ['xsrf', 'logout'], baseline: () => [['xsrf', 'not-the-xsrf'], ['logout', 'yes']], path: pathVariants('/session/end/confirm') },
  { name: 'interaction', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: interactionPath('') },
  {
    name: 'interaction-login', methods: ['POST'], slot: 'body', keylineForm: true, params: ['email', 'password', 'csrf', 'remember'], path: interactionPath('/login'),
    baseline: (t) => [['email', t.email], ['password', 'not the password'], ['csrf', t.csrf], ['remember', 'yes']],
  },
  // The real CSRF token is never offered to /confirm or /abort: with it, abort is a valid request that ends the interaction.
  { name: 'interaction-confirm', methods: ['POST'], slot: 'body', keylineForm: true, params: ['csrf'], baseline: () => [['csrf', 'not-the-csrf-token']], path: interactionPath('/confirm') },
  { name: 'interaction-abort', methods: ['POST'], slot: 'body', keylineForm: true, params: ['csrf'], baseline: () => [['csrf', 'not-the-csrf-token']], path: interactionPath('/abort') },
  { name: 'healthz', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: pathVariants('/healthz') },
  { name: 'readyz', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: pathVariants('/readyz') },
  { name: 'ssf-configuration', methods: ['GET'], slot: 'query', params: [], baseline: () => [], path: pathVariants('/.well-known/ssf-configuration') },
  {
    name: 'ssf-streams', methods: ['GET', 'POST', 'PATCH', 'DELETE'], slot: 'query', params: ['stream_id'],
    baseline: () => [['stream_id', 'no-such-stream']], path: pathVariants('/ssf/streams'),
  },
];

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'FOO', 'get'];

export interface FuzzCase {
  endpoint: string;
  /** Which kinds of damage the case carries, for coverage counts. */
  tags: string[];
  request: RawRequest;
}

/** Everything for one request: endpoint × method × parameter mutations × encoding × headers. */
export function fuzzCaseArbitrary(t: FuzzTargets): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...ENDPOINTS).chain((spec) => {
    const baseline = new Map<string, Value>(spec.baseline(t).map(([key, text]) => [key, plain(text)]));
    const baselineForCase = (useRealCsrf: boolean): Array<[string, Value]> => [...baseline.entries()]
      .map(([key, value]) => [key, key === 'csrf' && !useRealCsrf ? plain('forged-csrf-token') : value]);
    return fc.record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...spec.methods) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
      pathFor: spec.path,
      // Most login posts carry a forged token; some carry the real one so the credential check itself is fuzzed.
      useRealCsrf: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
      mutations: fc.array(mutationArbitrary(spec, baseline), { maxLength: 4 }),
      encoding: fc.constantFrom(...BODY_ENCODINGS),
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
      junk: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      pad: fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom(...(spec.keylineForm ? [15 * 1024, 17 * 1024, 70 * 1024] : [12 * 1024, 57 * 1024, 70 * 1024])) },
      ),
      alsoQuery: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.array(mutationArbitrary(spec, new Map()), { minLength: 1, maxLength: 2 }) },
      ),
      authorization: authorizationArbitrary(t),
      omitHost: fc.integer({ min: 0, max: 59 }).map((n) => n === 0),
    }).chain((choice) => {
      const { path, withInteractionCookie } = choice.pathFor(t);
      return otherHeadersArbitrary(t, withInteractionCookie).map((otherHeaders): FuzzCase => {
        const tags: string[] = [];
        const params = applyMutations(baselineForCase(choice.useRealCsrf), choice.mutations);
        if (choice.pad !== null) {
          params.push({ key: 'pad', value: hugeValue(choice.pad, 'A') });
          tags.push('oversized');
        }
        const wire = Buffer.concat(params.map((param) => Buffer.concat([Buffer.from(param.key, 'latin1'), param.value.wire])));
        if (wire.includes('%00') || wire.includes(0)) tags.push('nul');
        if (/%0d|%0a/i.test(wire.toString('latin1')) || wire.includes(0x0a)) tags.push('crlf');
        if (/%FF|%C3%28|%C0|%ED%A0|%F4%90|%E2%82/i.test(wire.toString('latin1')) || wire.some((byte) => byte >= 0x80)) tags.push('invalid-utf8');
        if (choice.mutations.some((mutation) => mutation.kind === 'duplicate' || mutation.kind === 'array-shape')) tags.push('duplicate-or-array');
        if (params.some((param) => param.key === 'state' && param.value.wire.length > 4096)) tags.push('huge-state');
        if (choice.authorization.length > 0) tags.push('authorization');
        const bodyMethod = !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'get'].includes(choice.method);
        let target = path;
        let body: Buffer | undefined;
        let chunked = false;
        const headers: Array<[string, Buffer | string]> = [...choice.authorization, ...otherHeaders];
        if (bodyMethod && (spec.slot === 'body' || spec.methods.includes('POST'))) {
          const encodedBody = encodeBody(choice.encoding, params, choice.cut, choice.junk);
          headers.push(...encodedBody.headers);
          body = encodedBody.body;
          chunked = encodedBody.chunked ?? false;
          tags.push(`body:${choice.encoding}`);
          if (choice.alsoQuery) target += `?${formEncode(applyMutations([], choice.alsoQuery)).toString('latin1')}`;
        } else {
          const query = formEncode(params);
          if (query.length > 0) target = Buffer.concat([Buffer.from(`${path}?`, 'latin1'), query]).toString('latin1');
          if (bodyMethod) body = Buffer.from(choice.junk);
        }
        return {
          endpoint: spec.name,
          tags,
          request: { method: choice.method, target: Buffer.from(target, 'latin1'), headers, body, omitHost: choice.omitHost, chunked },
        };
      });
    });
  });
}
