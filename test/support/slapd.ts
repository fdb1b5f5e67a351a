import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnGuarded, stopGuarded } from './guarded-child.ts';
import { temporaryDirectory } from './start-keyline.ts';
import { selfSignedCertificate, type SelfSignedCertificate } from './tls-proxy.ts';

const run = promisify(execFile);

export interface DirectoryPerson {
  uid: string;
  cn: string;
  mail: string;
  password: string;
  /** Stored as {SSHA} (salted SHA-1, what slappasswd makes) instead of in the clear. */
  hashed?: boolean;
}

export interface DirectoryGroup {
  cn: string;
  /** uids of people in `people`. */
  members: string[];
}

export interface TestDirectory {
  /** ldap://127.0.0.1:<port> */
  url: string;
  suffix: string;
  peopleBase: string;
  groupsBase: string;
  /** The service account Keyline searches with. */
  serviceDn: string;
  servicePassword: string;
  /** With `startTls`: the directory's self-signed certificate (for 127.0.0.1). */
  certificate?: SelfSignedCertificate;
  dnOf(uid: string): string;
  groupDnOf(cn: string): string;
  /** slapd's own log of what it was asked (its `stats` level: BIND dn=... method=128, SRCH ... filter=...). */
  operations(): string[];
  /** Stops slapd (the directory is "down"); `start` brings it back on the same port with the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  remove(): Promise<void>;
}

export const SUFFIX = 'dc=acme,dc=test';

/** `{SSHA}` as slappasswd makes it: base64(SHA-1(password + salt) + salt). */
export function sshaHash(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

function configuration(directory: string, certificate: SelfSignedCertificate | undefined, serviceDn: string, unauthenticatedBind: boolean, anonymousSearch: boolean): string {
  return [
    // What Active Directory and some other directories do: a DN with an empty password binds, as nobody.
    ...(unauthenticatedBind ? ['allow bind_anon_dn'] : []),
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((schema) => `include /etc/ldap/schema/${schema}.schema`),
    `pidfile ${join(directory, 'slapd.pid')}`,
    `argsfile ${join(directory, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    ...(certificate ? [`TLSCertificateFile ${certificate.certFile}`, `TLSCertificateKeyFile ${join(directory, 'key.pem')}`] : []),
    // As a real directory is set up: passwords are only for binding, and only the service account
    // (and each person, their own entry) may read; an anonymous search finds nothing.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    // Some directories let anyone search (and Keyline then needs no service account).
    `access to * by dn.exact="${serviceDn}" read by self read by * ${anonymousSearch ? 'read' : 'none'}`,
    'database mdb',
    'maxsize 10485760',
    `suffix "${SUFFIX}"`,
    `directory ${join(directory, 'db')}`,
    '',
  ].join('\n');
}

function ldif(people: DirectoryPerson[], groups: DirectoryGroup[], serviceDn: string, servicePassword: string, dnOf: (uid: string) => string, groupDnOf: (cn: string) => string): string {
  const entries = [
    [`dn: ${SUFFIX}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: acme', 'o: Acme'],
    [`dn: ou=people,${SUFFIX}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ou=groups,${SUFFIX}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [`dn: ${serviceDn}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: keyline', `userPassword: ${sshaHash(servicePassword)}`],
    ...people.map((person) => [
      `dn: ${dnOf(person.uid)}`, 'objectClass: inetOrgPerson', `uid: ${person.uid}`, `cn: ${person.cn}`, `sn: ${person.cn.split(' ').at(-1)}`,
      `mail: ${person.mail}`, `userPassword: ${person.hashed ? sshaHash(person.password) : person.password}`,
    ]),
    ...groups.map((group) => [
      `dn: ${groupDnOf(group.cn)}`, 'objectClass: groupOfNames', `cn: ${group.cn}`, ...group.members.map((uid) => `member: ${dnOf(uid)}`),
    ]),
  ];
  return entries.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Debian's real OpenLDAP slapd (`/usr/sbin/slapd`; CI installs it) as this test's child, on
 * 127.0.0.1 and an ephemeral port, with a throwaway slapd.conf (mdb, the core, cosine,
 * inetorgperson and nis schemas) and the LDIF loaded by slapadd before it starts. People live under
 * ou=people, groupOfNames groups under ou=groups, and a service account may search them. The guard
 * stops slapd when the test process ends or dies. With `startTls`, slapd also offers StartTLS with a
 * fresh self-signed certificate for 127.0.0.1.
 */
export async function startSlapd(options: {
  people: DirectoryPerson[]; groups?: DirectoryGroup[]; startTls?: boolean; unauthenticatedBind?: boolean; anonymousSearch?: boolean;
}): Promise<TestDirectory> {
  const directory = temporaryDirectory('keyline-slapd-');
  const certificate = options.startTls ? selfSignedCertificate(directory.path) : undefined;
  const dnOf = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
  const groupDnOf = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;
  const serviceDn = `cn=keyline,${SUFFIX}`;
  const servicePassword = randomBytes(12).toString('base64url');
  const configFile = join(directory.path, 'slapd.conf');
  const dataFile = join(directory.path, 'data.ldif');
  writeFileSync(configFile, configuration(directory.path, certificate, serviceDn, options.unauthenticatedBind === true, options.anonymousSearch === true));
  writeFileSync(dataFile, ldif(options.people, options.groups ?? [], serviceDn, servicePassword, dnOf, groupDnOf));
  await run('mkdir', [join(directory.path, 'db')]);
  await run('/usr/sbin/slapadd', ['-f', configFile, '-l', dataFile]);

  let port = 0;
  const log: string[] = [];
  let child: ReturnType<typeof spawnGuarded> | undefined;
  const start = async (): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const tryPort = port || await freePort();
      // -d keeps slapd in the foreground (the guard's child); level 256 (stats) logs each operation.
      const started = spawnGuarded('slapd', '/usr/sbin/slapd', ['-f', configFile, '-h', `ldap://127.0.0.1:${tryPort}/`, '-d', '256'], { stdout: 'pipe', stderr: 'pipe' });
      started.stdout?.resume();
      let stderr = '';
      started.stderr?.on('data', (chunk) => {
        stderr += String(chunk);
        log.push(...String(chunk).split('\n').filter(Boolean));
      });
      const exited = new Promise<false>((resolve) => started.once('exit', () => resolve(false)));
      let up = false;
      for (let wait = 0; wait < 100 && started.exitCode === null; wait += 1) {
        if (await Promise.race([accepts(tryPort), exited])) { up = true; break; }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (up) {
        port = tryPort;
        child = started;
        return;
      }
      await stopGuarded(started);
      if (port) throw new Error(`slapd did not come back on port ${port}: ${stderr}`);
      if (attempt === 4) throw new Error(`slapd did not start: ${stderr}`);
    }
  };
  await start();

  const stop = async () => {
    if (child) await stopGuarded(child);
    child = undefined;
  };
  return {
    get url() { return `ldap://127.0.0.1:${port}`; },
    suffix: SUFFIX,
    peopleBase: `ou=people,${SUFFIX}`,
    groupsBase: `ou=groups,${SUFFIX}`,
    serviceDn,
    servicePassword,
    ...(certificate ? { certificate } : {}),
    dnOf,
    groupDnOf,
    operations: () => [...log],
    stop,
    start,
    async remove() {
      await stop();
      directory.remove();
    },
  };
}

/** Registers beforeAll/afterAll hooks: a slapd for the whole file, handed to `ready`, removed after. */
export function useSlapd(options: Parameters<typeof startSlapd>[0], ready: (directory: TestDirectory) => void): void {
  let started: TestDirectory | undefined;
  beforeAll(async () => {
    started = await startSlapd(options);
    ready(started);
  });
  afterAll(() => started?.remove());
}
