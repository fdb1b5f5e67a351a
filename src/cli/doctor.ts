import { existsSync } from 'node:fs';
import { signingKeyPolicy } from '../keys/signing-key-policy.ts';
import { relayMustEncrypt } from '../mail/relay-encryption.ts';
import { StoreMissingError } from '../store/store-exists.ts';
import { describeStoreLocation, isMongoUrl } from '../store/store-location.ts';
import type { CliContext } from './cli-context.ts';
import { CliError } from './cli-error.ts';
import { checkDeployment } from './doctor-deployment.ts';
import { fail, formatFinding, ok, warn, type Finding } from './doctor-findings.ts';
import { parseArguments, stringOption } from './parse-arguments.ts';

export const DOCTOR_HELP = `keyline doctor [--url https://id.example.com [--client-id ID --redirect-uri URI] [--http-url URL]] [--json]

  Without --url: checks the configuration, that the store exists and answers, its indexes
  (MongoDB), and the signing keys against the rotation policy. It never creates a store: a SQLite
  file that is not there is a FAIL naming the path.
  With --url: also checks the running deployment from outside: discovery and JWKS reachable and
  consistent, the issuer exact, endpoints on the issuer's origin over https, the TLS certificate,
  the clock against the server's Date, HSTS and cookie flags on the login page (with --client-id
  and --redirect-uri of a registered client), that a client cannot downgrade X-Forwarded-Proto,
  and that plain http (--http-url, default port 80) redirects to https.
  One line per check: ok, warn or FAIL, with the fix. Exits 1 when anything FAILs.`;

const DAY = 86_400_000;

/** The checks that need the configuration and the store. */
async function localFindings(cli: CliContext, servedKids: string[] | undefined): Promise<Finding[]> {
  const findings: Finding[] = [];
  const config = cli.config;
  findings.push(ok('configuration', `issuer ${config.issuer}`));
  findings.push(ok('store location', describeStoreLocation(config.store)));
  if (!isMongoUrl(config.store) && !existsSync(config.store)) {
    return [...findings, fail('store', `no SQLite store at ${config.store}`, 'start Keyline once to create it, or point KEYLINE_STORE (or store: in the config) at the right file')];
  }
  let store;
  try {
    store = await cli.store();
    await store.ping();
  } catch (error) {
    if (error instanceof StoreMissingError) {
      return [...findings, fail('store', error.message.replace(/; check KEYLINE_STORE.*$/, ''), 'point KEYLINE_STORE (or store: in the config) at the server\'s database, or run `npx keyline migrate` to prepare this one')];
    }
    return [...findings, (servedKids ? warn : fail)('store', `does not answer from here: ${(error as Error).message}`, 'run the doctor where the store is reachable, with the server\'s configuration')];
  }
  findings.push(ok('store', `answers (${store.kind})`));
  if (store.kind === 'mongo') {
    const { checkMongoIndexes } = await import('../store/mongo/mongo-indexes.ts');
    const missing = await checkMongoIndexes(config.store);
    findings.push(missing.length ? fail('store indexes', `missing: ${missing.join(', ')}`, 'run `npx keyline migrate`') : ok('store indexes', 'all in place'));
  } else {
    findings.push(ok('store indexes', 'SQLite: the schema is migrated whenever the store opens'));
  }

  const keys = await cli.signingKeys();
  await keys.refresh({ maintain: false });
  const policy = signingKeyPolicy(config);
  const now = Date.now();
  if (keys.view.signing.size === 0) {
    findings.push(warn('key age', 'no signing keys yet', 'start Keyline once: it generates them'));
  } else {
    const overdue = [...keys.view.signing.values()].filter((key) => now - key.activatesAt.getTime() > policy.rotateEveryMs + policy.prePublishMs);
    const ages = [...keys.view.signing.values()].map((key) => `${key.alg} ${Math.floor((now - key.activatesAt.getTime()) / DAY)} d`).join(', ');
    findings.push(overdue.length
      ? warn('key age', `${overdue.map((key) => key.alg).join(', ')} signing keys are past keys.rotateEvery (${config.keys.rotateEvery / 86_400} d) + pre-publication: ${ages}`, 'keep at least one Keyline node running (it rotates on schedule), or run `keyline keys rotate`')
      : ok('key age', `signing keys ${ages} old; rotation every ${config.keys.rotateEvery / 86_400} d`));
  }
  const failedJobs = await store.jobs.list({ failedOnly: true, limit: 1000 });
  const dead = failedJobs.filter((job) => job.state === 'dead');
  const retrying = failedJobs.length - dead.length;
  findings.push(dead.length
    ? warn('outbox', `${dead.length} deliveries given up (newest: ${dead[0]!.kind}, ${dead[0]!.lastError ?? 'no reason recorded'})${retrying ? `; ${retrying} retrying` : ''}`,
      'see `npx keyline jobs list --failed`; once the receiver is fixed, `npx keyline jobs retry <id>`')
    : ok('outbox', retrying ? `no deliveries given up; ${retrying} retrying (npx keyline jobs list --failed)` : 'no failed deliveries'));
  if (servedKids) {
    const published = keys.view.published.map((key) => key.kid);
    const unknown = servedKids.filter((kid) => !published.includes(kid));
    const unserved = published.filter((kid) => !servedKids.includes(kid));
    findings.push(unknown.length || unserved.length
      ? warn('JWKS vs store', `${unknown.length ? `served but not in this store's key set: ${unknown.join(', ')}. ` : ''}${unserved.length ? `in the store but not served yet: ${unserved.join(', ')}` : ''}`.trim(),
        'check that --url is the deployment of this configuration; a running node picks up key changes within keys.checkInterval')
      : ok('JWKS vs store', 'the deployment serves exactly the store\'s key set'));
  }
  findings.push(config.mail.smtp
    ? ok('mail', `SMTP server ${new URL(config.mail.smtp).host}${relayMustEncrypt(config.mail.requireTls, new URL(config.mail.smtp).hostname) ? ', TLS required' : ', TLS not required'}; password reset${config.registration.enabled ? ', sign-up' : ''} and email verification are on`)
    : warn('mail', 'not configured: password reset, email verification and sign-up are off', 'set mail.smtp (KEYLINE_SMTP_URL); meanwhile `npx keyline users reset-link <email>` and `users verify <email>` cover for them'));
  if (config.cookies.keys.length === 0) findings.push(warn('cookie keys', 'generated and kept in the store', 'set KEYLINE_COOKIE_KEYS to manage and rotate them yourself'));
  if (config.issuer.startsWith('http://') && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(config.issuer)) {
    findings.push(fail('issuer', 'plain http on a non-local host', 'serve it over https (or behind a TLS proxy with proxy: true)'));
  }
  return findings;
}

export async function doctorCommand(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, {
    url: { type: 'string' }, 'client-id': { type: 'string' }, 'redirect-uri': { type: 'string' }, 'http-url': { type: 'string' }, json: { type: 'boolean' },
  }, 'keyline doctor [--url URL [--client-id ID --redirect-uri URI] [--http-url URL]] [--json]');
  const url = stringOption(parsed, 'url');
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new CliError(`--url: "${url}" is not an http(s) URL`, 2);
  const deployment = url
    ? await checkDeployment({ url, clientId: stringOption(parsed, 'client-id'), redirectUri: stringOption(parsed, 'redirect-uri'), httpUrl: stringOption(parsed, 'http-url') })
    : undefined;
  const findings = [...(deployment?.findings ?? []), ...await localFindings(cli, deployment?.jwksKids)];
  if (parsed.values.json) cli.printJson(findings);
  else for (const finding of findings) cli.print(formatFinding(finding));
  const failed = findings.filter((finding) => finding.status === 'FAIL').length;
  if (failed) throw new CliError(`${failed} check(s) failed`);
}
