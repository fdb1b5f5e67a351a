import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import type { SecretSealer } from '../../accounts/factors/secret-sealer.ts';
import { isLoopbackRelay } from '../../mail/relay-encryption.ts';
import type { UpstreamRecord } from '../../store/store.ts';
import { mapIdentity } from '../map-identity.ts';
import { openUpstreamSecret } from '../upstream-secrets.ts';
import {
  UpstreamError, type MappedIdentity, type UpstreamConnector, type UpstreamFinishInput, type UpstreamIdentity, type UpstreamStartResult,
} from '../upstream.ts';
import { fillFilter } from './ldap-filter.ts';

export interface LdapConnectorOptions {
  sealer: SecretSealer;
  /** Each connect and each operation; a directory that answers slower is "unreachable". */
  timeoutMs?: number;
  /** Extra TLS settings (a private CA in tests); certificates are always verified. */
  tlsOptions?: ConnectionOptions;
}

interface LdapSettings {
  url: URL;
  startTls: boolean;
  bindDn?: string;
  userSearchBase: string;
  userFilter: string;
  groupSearchBase?: string;
  groupFilter: string;
  emailVerified: boolean;
}

/** Longer than any address or directory user name: a bigger value is no one's, and never reaches the directory. */
const MAX_USERNAME = 320;
const MAX_PASSWORD = 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;
const DEFAULT_GROUP_FILTER = '(|(member={dn})(uniqueMember={dn}))';
const PERSON_ATTRIBUTES = ['*', 'entryUUID', 'objectGUID', 'memberOf'];

function settingsOf(upstream: UpstreamRecord): LdapSettings {
  const settings = upstream.settings;
  const text = (key: string) => (typeof settings[key] === 'string' && settings[key] !== '' ? settings[key] as string : undefined);
  const url = text('url');
  const userSearchBase = text('userSearchBase');
  const userFilter = text('userFilter');
  if (!url || !URL.canParse(url) || !userSearchBase || !userFilter) throw new UpstreamError('misconfigured', 'the ldap upstream lacks its url, user search base or user filter');
  return {
    url: new URL(url), startTls: settings.startTls === true, bindDn: text('bindDn'), userSearchBase, userFilter,
    groupSearchBase: text('groupSearchBase'), groupFilter: text('groupFilter') ?? DEFAULT_GROUP_FILTER,
    emailVerified: settings.emailVerified === true,
  };
}

/** Passwords travel to the directory: over TLS (ldaps:// or StartTLS), or in the clear only to this machine. */
function checkTransport(settings: LdapSettings): void {
  const { protocol, hostname } = settings.url;
  if (protocol === 'ldaps:' || (protocol === 'ldap:' && (settings.startTls || isLoopbackRelay(hostname)))) return;
  throw new UpstreamError('misconfigured', `refusing to send passwords over ${protocol}//${hostname} without TLS`);
}

/** AD's objectGUID is 16 bytes; as a string it is its usual braceless GUID form, stable across renames. */
function guidString(bytes: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((byte) => byte.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

function strings(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
}

/** The group's name: the value of its DN's first RDN (`cn=admins,ou=groups,...` -> `admins`). */
function groupName(dn: string): string {
  const first = /^[^=]+=((?:\\.|[^,\\])*)/.exec(dn)?.[1] ?? dn;
  return first.replace(/\\(.)/g, '$1');
}

/**
 * Sign-in with a directory password (LDAP, Active Directory): the person types their directory
 * user name or address and password on Keyline's own page; Keyline searches for them with the
 * service account, binds as the one entry found with the typed password, and reads their groups.
 */
export class LdapConnector implements UpstreamConnector {
  readonly type = 'ldap' as const;
  readonly step = 'password' as const;
  readonly #sealer: SecretSealer;
  readonly #timeoutMs: number;
  readonly #tlsOptions: ConnectionOptions;

  constructor({ sealer, timeoutMs = 5000, tlsOptions = {} }: LdapConnectorOptions) {
    this.#sealer = sealer;
    this.#timeoutMs = timeoutMs;
    this.#tlsOptions = tlsOptions;
  }

  async start(): Promise<UpstreamStartResult> {
    return { kind: 'password', pending: {} };
  }

  async finish(upstream: UpstreamRecord, input: UpstreamFinishInput): Promise<UpstreamIdentity> {
    if (input.kind !== 'password') throw new UpstreamError('invalid_response', 'an ldap upstream is finished with a password');
    const username = input.username.trim();
    // An empty password is an "unauthenticated bind" (RFC 4513 5.1.2), which many directories
    // answer with success: it never reaches the directory.
    // No one's user name holds a control character; slapd reads a NUL as the value's end (`alice\0`
    // would match alice), so such a value never reaches the directory, escaped or not.
    if (!username || !input.password || username.length > MAX_USERNAME || input.password.length > MAX_PASSWORD || CONTROL.test(username)) {
      throw new UpstreamError('invalid_credentials', 'no user name or password');
    }
    const settings = settingsOf(upstream);
    checkTransport(settings);
    const client = await this.#connect(settings);
    try {
      await this.#bindService(client, upstream, settings);
      const person = await this.#findPerson(client, settings, username);
      await input.admit?.(person?.dn);
      // Someone unknown costs the directory what someone known does (a group search and a bind),
      // so neither the answer nor its time tells which addresses the directory has.
      const nobody = `cn=nobody,${settings.userSearchBase}`;
      const groups = await this.#groupsOf(client, settings, person?.dn ?? nobody);
      if (!person) {
        // Without a service account there is none to bind again: a bind that fails costs the same round trip.
        if (settings.bindDn) await this.#bindService(client, upstream, settings);
        else await client.bind(nobody, input.password).catch(() => undefined);
        throw new UpstreamError('invalid_credentials', 'no single directory entry matches the user name');
      }
      try {
        await client.bind(person.dn, input.password);
      } catch (error) {
        if (error instanceof InvalidCredentialsError) throw new UpstreamError('invalid_credentials', 'the directory refused the password');
        throw new UpstreamError('unreachable', `the directory failed the bind: ${(error as Error).name}`, { cause: error });
      }
      return this.#identityOf(person, groups, settings);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  map(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity {
    return mapIdentity(upstream.mapping, identity);
  }

  async #connect(settings: LdapSettings): Promise<Client> {
    const host = settings.url.hostname.replace(/^\[|\]$/g, '');
    const tlsOptions: ConnectionOptions = { host, ...(isIP(host) ? {} : { servername: host }), ...this.#tlsOptions, rejectUnauthorized: true };
    const client = new Client({
      url: `${settings.url.protocol}//${settings.url.host}`, timeout: this.#timeoutMs, connectTimeout: this.#timeoutMs, strictDN: false,
      createSecureConnection: this.#boundedHandshake,
      ...(settings.url.protocol === 'ldaps:' ? { tlsOptions } : {}),
    });
    if (settings.startTls && settings.url.protocol === 'ldap:') {
      try {
        await client.startTLS(tlsOptions);
      } catch (error) {
        await client.unbind().catch(() => undefined);
        throw new UpstreamError('unreachable', `StartTLS with the directory failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return client;
  }

  /**
   * ldapts bounds the TCP connect and every operation, but not the TLS handshake after StartTLS
   * says yes: a directory (or whatever is on the path) that then stays silent held the sign-in
   * forever. The handshake gets the same bound as everything else.
   */
  readonly #boundedHandshake = ((...args: Parameters<typeof tlsConnect>) => {
    const socket = (tlsConnect as (...all: unknown[]) => ReturnType<typeof tlsConnect>)(...args);
    const timer = setTimeout(() => socket.destroy(new Error('the TLS handshake with the directory timed out')), this.#timeoutMs);
    const done = () => clearTimeout(timer);
    socket.once('secureConnect', done).once('close', done);
    return socket;
  }) as typeof tlsConnect;

  async #bindService(client: Client, upstream: UpstreamRecord, settings: LdapSettings): Promise<void> {
    if (!settings.bindDn) return;
    let password: string | undefined;
    try {
      password = openUpstreamSecret(this.#sealer, upstream, 'bindPassword');
    } catch (error) {
      // Sealed under a secrets key this node does not have: the operator's to fix, not a 500 for the person.
      throw new UpstreamError('misconfigured', `the ldap upstream's bind password does not open with this node's secrets key: ${(error as Error).message}`, { cause: error });
    }
    if (!password) throw new UpstreamError('misconfigured', 'the ldap upstream has a bind DN but no bind password');
    try {
      await client.bind(settings.bindDn, password);
    } catch (error) {
      throw new UpstreamError('unreachable', `the directory refused the service account or did not answer: ${(error as Error).message}`, { cause: error });
    }
  }

  async #findPerson(client: Client, settings: LdapSettings, username: string): Promise<Entry | undefined> {
    const filter = fillFilter(settings.userFilter, { email: username, username });
    try {
      const { searchEntries } = await client.search(settings.userSearchBase, {
        scope: 'sub', filter, sizeLimit: 2, timeLimit: Math.ceil(this.#timeoutMs / 1000), attributes: PERSON_ATTRIBUTES, explicitBufferAttributes: ['objectGUID'],
      });
      return searchEntries.length === 1 ? searchEntries[0] : undefined;
    } catch (error) {
      // More than one entry: the filter does not name one person, so nobody signs in with it.
      if ((error as Error).name === 'SizeLimitExceededError') return undefined;
      throw new UpstreamError('unreachable', `the directory failed the user search: ${(error as Error).message}`, { cause: error });
    }
  }

  async #groupsOf(client: Client, settings: LdapSettings, dn: string): Promise<string[]> {
    if (!settings.groupSearchBase) return [];
    try {
      const { searchEntries } = await client.search(settings.groupSearchBase, {
        scope: 'sub', filter: fillFilter(settings.groupFilter, { dn }), timeLimit: Math.ceil(this.#timeoutMs / 1000), attributes: ['1.1'],
      });
      return searchEntries.map((entry) => entry.dn);
    } catch (error) {
      throw new UpstreamError('unreachable', `the directory failed the group search: ${(error as Error).message}`, { cause: error });
    }
  }

  #identityOf(person: Entry, groupDns: string[], settings: LdapSettings): UpstreamIdentity {
    const guid = person.objectGUID;
    const uuid = strings(person.entryUUID)[0];
    // objectGUID (AD) or entryUUID (OpenLDAP and most others) survive a rename or a move; the DN
    // is the fallback for directories that have neither.
    const subject = Buffer.isBuffer(guid) && guid.length === 16 ? guidString(guid) : uuid ?? person.dn;
    const memberOf = [...new Set([...strings(person.memberOf), ...groupDns])];
    const claims: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(person)) {
      if (name === 'dn' || name === 'objectGUID' || name.toLowerCase() === 'userpassword') continue;
      claims[name] = strings(value);
    }
    Object.assign(claims, { dn: person.dn, memberOf, groups: [...new Set(memberOf.map(groupName))] });
    const email = strings(person.mail)[0] ?? null;
    return { subject, email, emailVerified: email !== null && settings.emailVerified, claims, amr: ['pwd'] };
  }
}
