/**
 * Password-reset timing: does "Forgot password?" reveal whether an address has an account?
 * Alternates reset requests for real accounts (each its own, so the per-address limit never
 * answers instead) and for unknown addresses of the same length, each from its own client IP
 * (Keyline trusts X-Forwarded-For here, as behind a proxy), then compares statuses, pages
 * (after normalising the CSRF token, CSP nonce and echoed address) and response times.
 * Mail goes to a real SMTP server on 127.0.0.1, as in the tests.
 * A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   node bench/reset-timing.ts [--count N] [--warmup W]
 *
 * N requests of each kind (default 100), after W unmeasured requests of each kind (default 5).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BrowserLikeClient, hiddenField } from '../test/support/browser-like-client.ts';
import { createTestUser } from '../test/support/oidc-flow.ts';
import { startSmtpServer } from '../test/support/smtp-server.ts';
import { startKeyline, type RunningKeyline } from '../test/support/start-keyline.ts';
import { printTimingComparison, summariseTimings } from './timing-summary.ts';

type Kind = 'existing address' | 'unknown address';

interface Sample {
  kind: Kind;
  status: number;
  ms: number;
  page: string;
}

const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, warmup: { type: 'string', default: '5' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!Number.isInteger(count) || count < 2 || !Number.isInteger(warmup) || warmup < 0) {
  throw new Error('--count must be an integer of at least 2 and --warmup a non-negative integer');
}

let nextIp = 1;
/** A fresh client IP per request (10.x.y.z), so the per-IP limit never answers instead. */
function freshIp(): string {
  nextIp += 1;
  return `10.${(nextIp >> 16) & 255}.${(nextIp >> 8) & 255}.${nextIp & 255}`;
}

function normalise(html: string, email: string): string {
  return html
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="{csrf}"')
    .replace(/nonce="[^"]*"/g, 'nonce="{nonce}"')
    .replaceAll(email, '{email}');
}

function unknownEmailLike(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${randomBytes(local.length).toString('hex').slice(0, local.length)}@${domain}`;
}

async function requestReset(kl: RunningKeyline, kind: Kind, email: string): Promise<Sample> {
  const browser = new BrowserLikeClient();
  const headers = { 'x-forwarded-for': freshIp() };
  const form = await browser.get(`${kl.url}/password/forgot`, headers);
  const posted = { csrf: hiddenField(form.text, 'csrf') ?? '', email };
  const before = performance.now();
  const response = await browser.postForm(`${kl.url}/password/forgot`, posted, headers);
  const ms = performance.now() - before;
  return { kind, status: response.status, ms, page: normalise(response.text, email) };
}

const smtp = await startSmtpServer();
const kl = await startKeyline({ logLevel: 'warn', config: { proxy: true, mail: { smtp: smtp.url } } });
try {
  const users = [];
  for (let index = 0; index < count + warmup; index += 1) users.push(await createTestUser(kl));
  console.log(`node ${process.version}; ${count} reset requests of each kind after ${warmup} unmeasured of each; mail to an SMTP server on 127.0.0.1`);
  for (let index = 0; index < warmup; index += 1) {
    await requestReset(kl, 'existing address', users.pop()!.email);
    await requestReset(kl, 'unknown address', unknownEmailLike(users[0]!.email));
  }
  // ABBA order, so drift falls on both kinds alike.
  const samples: Sample[] = [];
  for (let index = 0; index < count; index += 1) {
    const order: Kind[] = index % 2 === 0 ? ['existing address', 'unknown address'] : ['unknown address', 'existing address'];
    for (const kind of order) {
      const email = kind === 'existing address' ? users.pop()!.email : unknownEmailLike(users[0]?.email ?? 'someone@example.test');
      samples.push(await requestReset(kl, kind, email));
    }
  }
  printTimingComparison(['existing address', 'unknown address'], [
    summariseTimings(samples.filter((sample) => sample.kind === 'existing address')),
    summariseTimings(samples.filter((sample) => sample.kind === 'unknown address')),
  ]);
  const pages = new Set(samples.map((sample) => sample.page));
  console.log(`normalised pages identical across all ${samples.length} requests: ${pages.size === 1 ? 'yes' : `no (${pages.size} variants)`}`);
  console.log(`mails received for the existing addresses: ${smtp.received.length} (expected ${count + warmup})`);
} finally {
  await kl.stop();
  await smtp.stop();
}
