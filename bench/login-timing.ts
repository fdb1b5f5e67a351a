/**
 * Login timing: does a failed sign-in reveal whether the email exists? Alternates login posts with
 * a wrong password for a real account and with an unknown email (each on a fresh interaction),
 * then compares the status codes, the pages (after normalising what differs by design: CSRF token,
 * CSP nonce, interaction uid and the echoed email) and the response times.
 * A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   node bench/login-timing.ts [--count N] [--warmup W]
 *
 * N posts of each kind (default 200), after W unmeasured posts of each kind (default 10).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BrowserLikeClient, hiddenField } from '../test/support/browser-like-client.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient } from '../test/support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../test/support/start-keyline.ts';
import { printTimingComparison, summariseTimings } from './timing-summary.ts';

type Kind = 'wrong password' | 'unknown email';

interface Sample {
  kind: Kind;
  status: number;
  ms: number;
  page: string;
  headers: string;
}

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' }, warmup: { type: 'string', default: '10' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!Number.isInteger(count) || count < 2 || !Number.isInteger(warmup) || warmup < 0) {
  throw new Error('--count must be an integer of at least 2 and --warmup a non-negative integer');
}

/** What legitimately differs between two answers, replaced by placeholders. */
function normalise(html: string, uid: string, email: string): string {
  return html
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="{csrf}"')
    .replace(/data-csrf="[^"]*"/g, 'data-csrf="{csrf}"')
    .replace(/nonce="[^"]*"/g, 'nonce="{nonce}"')
    .replaceAll(uid, '{uid}')
    .replaceAll(email, '{email}');
}

/** The headers an observer sees, minus the ones that differ on every response. */
function headerShape(headers: Headers): string {
  const varying = new Set(['date', 'x-request-id', 'content-security-policy']);
  return [...headers].filter(([name]) => !varying.has(name)).map(([name, value]) => `${name}: ${value}`).sort().join('\n');
}

/** An unknown address of the same length as the real one, so the page lengths can be compared too. */
function unknownEmailLike(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${randomBytes(local.length).toString('hex').slice(0, local.length)}@${domain}`;
}

async function loginOnce(kl: RunningKeyline, client: TestClient, kind: Kind, realEmail: string): Promise<Sample> {
  const browser = new BrowserLikeClient();
  const { challenge } = pkcePair();
  const started = await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', state: 'bench' }));
  const loginPage = await browser.get(started.location!);
  const uid = new URL(started.location!).pathname.split('/')[2]!;
  const email = kind === 'wrong password' ? realEmail : unknownEmailLike(realEmail);
  const form = { csrf: hiddenField(loginPage.text, 'csrf') ?? '', email, password: 'Not-the-password-42' };
  const before = performance.now();
  const response = await browser.postForm(`${kl.url}/interaction/${uid}/login`, form);
  const ms = performance.now() - before;
  return { kind, status: response.status, ms, page: normalise(response.text, uid, email), headers: headerShape(response.headers) };
}

const kl = await startKeyline({
  logLevel: 'warn',
  config: { login: { backoffAfterFailures: 100_000, lockAfterFailures: 100_000, ipMaxFailures: 1_000_000 } },
});
try {
  const client = await registerTestClient(kl, { name: 'Timing Bench' });
  const user = await createTestUser(kl);
  console.log(`node ${process.version}; ${count} login posts of each kind after ${warmup} unmeasured of each; argon2id m=19 MiB t=2 p=1`);

  // The first unknown-email post after start may pay for the placeholder hash: report it, but do not count it.
  // Two wrong-password posts go first so that the process is warm when it comes.
  const coldWrong = await loginOnce(kl, client, 'wrong password', user.email);
  const warmWrong = await loginOnce(kl, client, 'wrong password', user.email);
  const firstUnknown = await loginOnce(kl, client, 'unknown email', user.email);
  console.log(`after start: 1st wrong password ${coldWrong.ms.toFixed(1)} ms, 2nd wrong password ${warmWrong.ms.toFixed(1)} ms,`
    + ` 1st unknown email ${firstUnknown.ms.toFixed(1)} ms`);
  for (let index = 0; index < warmup; index += 1) {
    await loginOnce(kl, client, 'wrong password', user.email);
    await loginOnce(kl, client, 'unknown email', user.email);
  }

  // ABBA order, so drift (JIT, GC, a busy neighbour) falls on both kinds alike.
  const samples: Sample[] = [];
  for (let index = 0; index < count; index += 1) {
    const order: Kind[] = index % 2 === 0 ? ['wrong password', 'unknown email'] : ['unknown email', 'wrong password'];
    for (const kind of order) samples.push(await loginOnce(kl, client, kind, user.email));
  }

  const wrong = samples.filter((sample) => sample.kind === 'wrong password');
  const unknown = samples.filter((sample) => sample.kind === 'unknown email');
  printTimingComparison(['wrong password', 'unknown email'], [summariseTimings(wrong), summariseTimings(unknown)]);

  const pages = new Set(samples.map((sample) => sample.page));
  const headerShapes = new Set(samples.map((sample) => sample.headers));
  console.log(`normalised pages identical across all ${samples.length} posts: ${pages.size === 1 ? 'yes' : `no (${pages.size} variants)`}`);
  console.log(`response headers identical (minus date, request id, CSP nonce): ${headerShapes.size === 1 ? 'yes' : `no (${headerShapes.size} variants)`}`);
  if (pages.size > 1) {
    const [one, other] = [wrong[0]!.page, unknown.find((sample) => sample.page !== wrong[0]!.page)?.page ?? ''];
    const at = [...one].findIndex((char, index) => char !== other[index]);
    console.log(`first difference at ${at}:\n  wrong password: …${one.slice(Math.max(0, at - 80), at + 120)}\n  unknown email:  …${other.slice(Math.max(0, at - 80), at + 120)}`);
  }
} finally {
  await kl.stop();
}
