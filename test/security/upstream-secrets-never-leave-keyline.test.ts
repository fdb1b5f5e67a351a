import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * An upstream's client secret or bind password opens its directory or its client registration to
 * whoever holds it. It goes in once (stdin, or a request body) and must never come out: not in the
 * CLI's output, not in any admin API answer, not in the audit trail, not in the log, and not in the
 * clear in the store.
 */
describe.each(backends)('upstream secrets never leave Keyline on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const SECRETS = ['cli-secret-d41d8cd98f', 'api-secret-9e107d9d37', 'rotated-secret-e4d909c290', 'bind-password-0cc175b9c0'];

  test('the CLI, the API, the audit trail, the log and the store never show one', async () => {
    const outputs: string[] = [];
    const cli = async (args: string[], stdin = '') => {
      const result = await runCli(kl, args, stdin);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    expect((await cli(['upstreams', 'add', 'acme', '--type', 'oidc', '--issuer', 'https://idp.acme.example', '--client-id', 'k'], SECRETS[0])).code).toBe(0);
    outputs.push(JSON.stringify(await admin.expect(201, 'POST', '/upstreams', {
      id: 'other', type: 'oauth2', clientId: 'k', clientSecret: SECRETS[1], authorizationEndpoint: 'https://o.example/authorize',
      tokenEndpoint: 'https://o.example/token', userinfoEndpoint: 'https://o.example/user',
    })));
    outputs.push(JSON.stringify(await admin.expect(200, 'PATCH', '/upstreams/acme', { clientSecret: SECRETS[2] })));
    expect((await cli(['upstreams', 'add', 'corp', '--type', 'ldap', '--url', 'ldaps://ldap.corp.example', '--bind-dn', 'cn=k', '--user-search-base', 'dc=corp',
      '--user-filter', '(uid={username})'], SECRETS[3])).code).toBe(0);
    // A refused change that carries a secret must not echo it either.
    outputs.push(JSON.stringify((await admin.call('PATCH', '/upstreams/corp', { bindPassword: SECRETS[3], url: 'ldap://ldap.corp.example' })).body));
    await cli(['upstreams', 'update', 'acme', '--secret-stdin', '--issuer', 'http://idp.acme.example'], SECRETS[2]);

    for (const path of ['/upstreams', '/upstreams/acme', '/upstreams/other', '/upstreams/corp', '/audit-events?limit=200']) {
      outputs.push(JSON.stringify(await admin.expect(200, 'GET', path)));
    }
    await cli(['upstreams', 'list', '--json']);
    await cli(['upstreams', 'show', 'corp']);
    await cli(['audit', 'list', '--limit', '200', '--json']);
    outputs.push(kl.logs.join('\n'));
    outputs.push(JSON.stringify(await kl.store.upstreams.list()));

    const everything = outputs.join('\n');
    // What was looked through holds the upstreams and their audit events, so "not there" means something.
    expect(everything).toContain('"secrets":["clientSecret"]');
    expect(everything).toContain('"secretsReplaced":["clientSecret"]');
    expect(everything).toContain('upstream.created');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  }, 90_000);
});
