import { isIP } from 'node:net';

/** A relay on this machine: 127.0.0.0/8, ::1 or localhost (what is sent there never crosses a network). */
export function isLoopbackRelay(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
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
