import { isIP } from 'node:net';

/** A relay on this machine: 127.0.0.0/8, ::1 or localhost (what is sent there never crosses a network). */
export function isLoopbackRelay(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * The address nodemailer connects to for the relay in the SMTP URL. `localhost` is pinned to
 * 127.0.0.1: nodemailer asks the network's DNS resolver for a name before /etc/hosts, so the name
 * that exempts a relay from TLS could otherwise lead the connection (the SMTP password, the reset
 * links) to whatever address a forged DNS answer names. An IPv6 literal loses the URL's brackets.
 */
export function relayConnectHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare.toLowerCase() === 'localhost' ? '127.0.0.1' : bare;
}

/**
 * Whether mail to this relay must go encrypted (smtps://, or STARTTLS on smtp://). Reset links and
 * the SMTP password cross the network in it, so by default always, except to a relay on this
 * machine; `mail.requireTls` decides when the operator set it (false only for a relay they know
 * the path to, such as a mail catcher on a private network).
 */
export function relayMustEncrypt(requireTls: boolean | undefined, relayHost: string): boolean {
  return requireTls ?? !isLoopbackRelay(relayHost);
}
