/**
 * Issue 19, item 13, attacked again: mail goes without TLS to a relay on loopback, and the name
 * `localhost` counted as loopback. But nodemailer does not ask /etc/hosts for a relay's name: it
 * asks the network's DNS resolver (resolve4/resolve6) first and connects to what that answers. So
 * the exemption was judged on the name while the connection went wherever DNS said: whoever can
 * answer that query (the path attacker TLS is there against) gets the SMTP password and every
 * reset link in the clear. `localhost` is this machine by definition (RFC 6761): it is never asked
 * of DNS.
 *
 * The network's answer is put where nodemailer keeps its answers (its DNS cache). It names
 * 127.0.0.2 only because tests never leave this machine: a relay there stands for the attacker's.
 */
import { dnsCache } from 'nodemailer/lib/shared';
import { parseConfig } from '../../src/config/load-config.ts';
import { createMailTransport } from '../../src/mail/mail-transport.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';

const auth = { user: 'keyline', pass: 'the relay password' };
let localRelay: TestSmtpServer;
let strangersRelay: TestSmtpServer;
let kl: RunningKeyline;

beforeAll(async () => {
  localRelay = await startSmtpServer({ auth });
  const port = Number(new URL(localRelay.url).port);
  strangersRelay = await startSmtpServer({ auth, host: '127.0.0.2', port });
  dnsCache.set('localhost', { value: { addresses: ['127.0.0.2'] }, expires: Date.now() + 10 * 60_000 });
  kl = await startKeyline({
    config: {
      mail: { smtp: `smtp://${auth.user}:${encodeURIComponent(auth.pass)}@localhost:${port}` },
      jobs: { retryBase: 0.3, retryMax: 1, pollInterval: 0.2 },
    },
  });
});

afterAll(async () => {
  dnsCache.delete('localhost');
  await kl?.stop();
  await localRelay?.stop();
  await strangersRelay?.stop();
});

test('a reset link for a relay named localhost goes to this machine, whatever DNS answers for the name', async () => {
  const user = await createTestUser(kl);
  const { answer } = await submitSelfServiceForm(kl, '/password/forgot', { email: user.email });
  expect(answer.status).toBe(200);
  // One message is sent, to one relay: had it gone to the address DNS named, this waits in vain.
  const mail = await localRelay.nextMailTo(user.email);
  expect(mail.link).toMatch(/\/password\/reset\?token=/);
  expect(strangersRelay.received).toEqual([]);
});

test('a relay given by its IPv6 loopback address ([::1]) is reached at that address (the URL\'s brackets are not a name to resolve)', async () => {
  const relay = await startSmtpServer({ host: '::1' });
  try {
    const { port } = new URL(relay.url);
    const config = parseConfig({ issuer: 'https://id.example.com', store: ':memory:', secrets: { keys: [TEST_SECRETS_KEY] }, mail: { smtp: `smtp://[::1]:${port}` } });
    await createMailTransport(config)!.send({ to: 'someone@example.com', subject: 'Reset your password', text: 'https://id.example.com/reset', html: '<p>reset</p>' });
    expect(relay.received.map((mail) => mail.to)).toEqual([['someone@example.com']]);
  } finally {
    await relay.stop();
  }
});
