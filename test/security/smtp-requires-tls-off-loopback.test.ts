/**
 * Issue 19, item 13: reset links, verification links and the SMTP password travel in the mail
 * session. Over a network, a relay that offers no STARTTLS (or a path that strips it) must not get
 * them in the clear: TLS is required by default, except to a relay on this machine. The relay here
 * is a real SMTP server (smtp-server) on 127.0.0.1 without STARTTLS; the "remote" relay is reached
 * by name through nodemailer's own socket hook, so nothing connects anywhere but 127.0.0.1.
 */
import { connect, type Socket } from 'node:net';
import { parseConfig } from '../../src/config/load-config.ts';
import { createMailTransport } from '../../src/mail/mail-transport.ts';
import { isLoopbackRelay, relayMustEncrypt } from '../../src/mail/relay-encryption.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { TEST_SECRETS_KEY } from '../support/start-keyline.ts';

let relay: TestSmtpServer;
let port: number;
beforeAll(async () => {
  relay = await startSmtpServer();
  port = Number(new URL(relay.url).port);
});
afterAll(() => relay.stop());

const mail = { to: 'someone@example.com', subject: 'Reset your password', text: 'https://id.example.com/reset/secret-link', html: '<p>reset</p>' };

function configWith(smtp: string, requireTls?: boolean) {
  return parseConfig({
    issuer: 'https://id.example.com', store: ':memory:', secrets: { keys: [TEST_SECRETS_KEY] }, mail: { smtp, ...(requireTls === undefined ? {} : { requireTls }) },
  });
}

/** nodemailer's own hook for opening the connection: whatever the relay's name, to the test relay on 127.0.0.1. */
function toTheTestRelay(_options: unknown, callback: (error: Error | null, socket?: { connection: Socket }) => void): void {
  const socket = connect(port, '127.0.0.1', () => callback(null, { connection: socket }));
  socket.once('error', (error) => callback(error));
}

test('the rule: encrypted unless the relay is on loopback, or the operator said otherwise', () => {
  for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '[::1]']) expect(isLoopbackRelay(host)).toBe(true);
  for (const host of ['smtp.example.com', '10.0.0.25', '[::ffff:127.0.0.1]', 'localhost.example.com']) expect(isLoopbackRelay(host)).toBe(false);
  expect(relayMustEncrypt(undefined, 'smtp.example.com')).toBe(true);
  expect(relayMustEncrypt(undefined, '127.0.0.1')).toBe(false);
  expect(relayMustEncrypt(false, 'smtp.example.com')).toBe(false);
  expect(relayMustEncrypt(true, '127.0.0.1')).toBe(true);
});

test('by default, a relay on the network that offers no STARTTLS gets nothing: the send fails', async () => {
  const before = relay.received.length;
  const transport = createMailTransport(configWith(`smtp://relay.example.test:${port}`), { getSocket: toTheTestRelay as never })!;
  await expect(transport.send(mail)).rejects.toThrow(/STARTTLS|TLS/i);
  expect(relay.received.length).toBe(before);
});

test('the same relay with mail.requireTls: false (the operator\'s deliberate choice) gets the message', async () => {
  const before = relay.received.length;
  const transport = createMailTransport(configWith(`smtp://relay.example.test:${port}`, false), { getSocket: toTheTestRelay as never })!;
  await transport.send(mail);
  expect(relay.received.length).toBe(before + 1);
});

test('a relay on loopback without STARTTLS is used by default; mail.requireTls: true refuses it too', async () => {
  const before = relay.received.length;
  await createMailTransport(configWith(`smtp://127.0.0.1:${port}`))!.send(mail);
  expect(relay.received.length).toBe(before + 1);
  await expect(createMailTransport(configWith(`smtp://127.0.0.1:${port}`, true))!.send(mail)).rejects.toThrow(/STARTTLS|TLS/i);
  expect(relay.received.length).toBe(before + 1);
});
