import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Config } from '../config/schema.ts';
import { relayConnectHost, relayMustEncrypt } from './relay-encryption.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one message over SMTP; rejects with a SmtpRefusal when the server refused it for good. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  /** Connects and authenticates without sending: for `keyline doctor`. */
  verify(): Promise<void>;
  /** `host:port`, never the credentials. */
  readonly server: string;
}

/** The server answered 5xx for this message or recipient: sending it again cannot help. */
export class SmtpRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmtpRefusal';
  }
}

/** A connection attempt, a greeting or a silent server never holds a delivery longer than this. */
const CONNECT_TIMEOUT_MS = 5_000;
const SOCKET_TIMEOUT_MS = 10_000;

export function defaultSender(issuer: string, productName: string): string {
  return `"${productName.replace(/["\\]/g, '')}" <no-reply@${new URL(issuer).hostname}>`;
}

/** An error's message as a log line can carry it: nodemailer's never include the message or its links. */
export function smtpFailure(error: unknown): string {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  return [code, responseCode, message?.split('\n')[0]].filter(Boolean).join(' ');
}

/**
 * nodemailer over the configured SMTP URL: `smtps://` is TLS from the start; `smtp://` upgrades
 * with STARTTLS, and refuses to send without it unless the relay is on loopback (or
 * `mail.requireTls` says otherwise: relay-encryption.ts). Undefined when no SMTP server is
 * configured: the features that need mail are then off. `getSocket` is nodemailer's own hook for
 * how the connection is opened (tests reach a relay by name on 127.0.0.1 with it).
 */
export function createMailTransport(config: Config, connection: Pick<SMTPTransport.Options, 'getSocket'> = {}): MailTransport | undefined {
  if (!config.mail.smtp) return undefined;
  const url = new URL(config.mail.smtp);
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const named = url.hostname.replace(/^\[|\]$/g, '');
  const host = relayConnectHost(named);
  const transporter = nodemailer.createTransport({
    host,
    // A relay named localhost is reached at 127.0.0.1; a certificate it offers is checked against its name.
    servername: host !== named ? named : undefined,
    port,
    secure,
    requireTLS: !secure && relayMustEncrypt(config.mail.requireTls, url.hostname),
    ...connection,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  const from = config.mail.from ?? defaultSender(config.issuer, config.branding.productName);
  return {
    server: `${url.hostname}:${port}`,
    async send(mail) {
      try {
        await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (error) {
        const responseCode = (error as { responseCode?: number }).responseCode;
        if (responseCode !== undefined && responseCode >= 500) throw new SmtpRefusal(smtpFailure(error));
        throw new Error(smtpFailure(error));
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        throw new Error(smtpFailure(error));
      }
    },
  };
}
