import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The first http(s) link in the text part: what a person would follow. */
  link: string | undefined;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Resolves with the next message to this address (or one already received and not yet taken). */
  nextMailTo(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Refuse connections from now on (the server is "down") or accept them again. */
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (or another loopback address) and an ephemeral port (smtp-server,
 * from the nodemailer project), keeping every message it accepts, parsed (mailparser). STARTTLS is
 * not offered unless asked for, as on a development mail catcher.
 */
export async function startSmtpServer(options: { auth?: { user: string; pass: string }; startTls?: boolean; host?: string; port?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: Array<{ address: string; resolve: (mail: ReceivedMail) => void }> = [];
  let down = false;
  const settings: SMTPServerOptions = {
    secure: false,
    disabledCommands: [...(options.startTls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, callback) {
      callback(down ? Object.assign(new Error('service not available'), { responseCode: 421 }) : undefined);
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        const text = parsed.text ?? '';
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          subject: parsed.subject ?? '',
          text,
          html: typeof parsed.html === 'string' ? parsed.html : '',
          link: /https?:\/\/\S+/.exec(text)?.[0],
        };
        received.push(mail);
        for (const waiter of [...waiters]) {
          if (mail.to.includes(waiter.address) && !taken.has(mail)) {
            taken.add(mail);
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(mail);
          }
        }
        callback();
      }, callback);
    },
  };
  const server = new SMTPServer(settings);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';
  return {
    url: `smtp://${credentials}${host.includes(':') ? `[${host}]` : host}:${port}`,
    received,
    nextMailTo(address, timeoutMs = 15_000) {
      const waiting = received.find((mail) => mail.to.includes(address) && !taken.has(mail));
      if (waiting) {
        taken.add(waiting);
        return Promise.resolve(waiting);
      }
      return new Promise((resolve, reject) => {
        const waiter = { address, resolve: (mail: ReceivedMail) => { clearTimeout(timer); resolve(mail); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    setDown(value) {
      down = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A real SMTP server for the Keylines of one test file or describe block, and the `mail` config that points at it. */
export interface SmtpFixture {
  /** Pass as `config.mail`: it holds the server's URL once the server runs. */
  mail: { smtp?: string };
  /** The running server (from the first test hook on). */
  server(): TestSmtpServer;
}

/**
 * Starts the server in a beforeAll registered here, so call it before the hook that starts
 * Keyline (useKeyline, startOnBackend): the URL is then in `mail` when Keyline reads its config.
 */
export function useSmtpServer(): SmtpFixture {
  let running: TestSmtpServer | undefined;
  const mail: { smtp?: string } = {};
  beforeAll(async () => {
    running = await startSmtpServer();
    mail.smtp = running.url;
  });
  afterAll(() => running?.stop());
  return {
    mail,
    server: () => {
      if (!running) throw new Error('the SMTP server is not running yet: use it in a test or a later hook');
      return running;
    },
  };
}
