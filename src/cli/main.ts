import { readFileSync } from 'node:fs';
import { AccountError } from '../accounts/account-errors.ts';
import { AttributeError } from '../authorization/attributes.ts';
import { AuthorizationError } from '../authorization/authorization-error.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import { AuditUnavailableError } from '../audit/audited-change.ts';
import { ConfigError } from '../config/config-error.ts';
import { DuplicateError, NotFoundError, StoreUnavailableError } from '../store/store-errors.ts';
import { StoreMissingError } from '../store/store-exists.ts';
import { SecretsKeyError } from '../keys/secrets-key-error.ts';
import { KeyAlreadyRetiredError, SigningKeyInUseError, SigningKeyNotFoundError } from '../keys/signing-key-errors.ts';
import { CliContext, type CliIo } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { AUDIT_HELP, auditCommand } from './audit.ts';
import { CLIENTS_HELP, clientsCommand } from './clients.ts';
import { DOCTOR_HELP, doctorCommand } from './doctor.ts';
import { GROUPS_HELP, groupsCommand } from './groups.ts';
import { JOBS_HELP, jobsCommand } from './jobs.ts';
import { KEYS_HELP, keysCommand } from './keys.ts';
import { MIGRATE_HELP, migrateCommand } from './migrate.ts';
import { REGISTRATION_HELP, registrationCommand } from './registration.ts';
import { RESOURCES_HELP, resourcesCommand } from './resources.ts';
import { ROLES_HELP, rolesCommand } from './roles.ts';
import { SESSIONS_HELP, sessionsCommand } from './sessions.ts';
import { UPSTREAMS_HELP, upstreamsCommand } from './upstreams.ts';
import { USERS_HELP, usersCommand } from './users.ts';

export const NOUNS: Record<string, { help: string; run: (cli: CliContext, args: string[]) => Promise<void> }> = {
  users: { help: USERS_HELP, run: usersCommand },
  clients: { help: CLIENTS_HELP, run: clientsCommand },
  resources: { help: RESOURCES_HELP, run: resourcesCommand },
  upstreams: { help: UPSTREAMS_HELP, run: upstreamsCommand },
  groups: { help: GROUPS_HELP, run: groupsCommand },
  roles: { help: ROLES_HELP, run: rolesCommand },
  sessions: { help: SESSIONS_HELP, run: sessionsCommand },
  keys: { help: KEYS_HELP, run: keysCommand },
  registration: { help: REGISTRATION_HELP, run: registrationCommand },
  audit: { help: AUDIT_HELP, run: auditCommand },
  jobs: { help: JOBS_HELP, run: jobsCommand },
  migrate: { help: MIGRATE_HELP, run: migrateCommand },
  doctor: { help: DOCTOR_HELP, run: doctorCommand },
};

function keylineVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export const MAIN_HELP = `keyline: administer a Keyline identity provider

Usage: keyline <users|clients|resources|upstreams|groups|roles|sessions|keys|registration|audit|jobs|migrate|doctor> <command> [options]
       keyline --version

It works on the store the server uses, from the same configuration
(KEYLINE_CONFIG, KEYLINE_STORE, ...), and is safe to run while the server runs.
Add --help after any command for its options.`;

/** Error types whose message is already a precise one-line explanation. */
const EXPLAINED = [
  CliError, ConfigError, AccountError, AttributeError, DuplicateError, NotFoundError, StoreUnavailableError, StoreMissingError, SecretsKeyError, AuditUnavailableError,
  SigningKeyInUseError, KeyAlreadyRetiredError, SigningKeyNotFoundError, AuthorizationError, StateConflictError,
];

export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [noun, ...rest] = args;
  if (noun === '--version' || noun === '-V') {
    io.stdout.write(`keyline ${keylineVersion()}\n`);
    return 0;
  }
  if (!noun || noun === '--help' || noun === '-h' || noun === 'help') {
    io.stdout.write(`${MAIN_HELP}\n`);
    return noun ? 0 : 2;
  }
  const command = NOUNS[noun];
  if (!command) {
    io.stderr.write(`keyline: unknown command "${noun}"; try keyline --help\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  const cli = new CliContext(io, { createsStore: noun === 'migrate' });
  try {
    await command.run(cli, rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError && error.message === command.help) {
      io.stderr.write(`${command.help}\n`);
      return 2;
    }
    if (EXPLAINED.some((type) => error instanceof type)) {
      const message = error instanceof ConfigError ? error.problems.join('; ') : (error as Error).message;
      io.stderr.write(`keyline: ${message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    io.stderr.write(`keyline: unexpected error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await cli.close();
  }
}

if (process.argv[1] && /keyline(\.js)?$|cli[/\\]main\.ts$/.test(process.argv[1])) {
  // `keyline users list | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.exitCode = code;
}
