import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * Home-realm discovery sends everyone whose address is in a claimed domain to that upstream, and
 * skips the password field. A second upstream claiming the same domain (by mistake, or by an
 * administrator who wants another company's staff) would make where people go a coin toss: a domain
 * belongs to one upstream, whichever way it is claimed, however many claim it at once.
 */
describe.each(backends)('an email domain is claimed by one upstream on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const oidc = (id: string, domains: string[]) => ({ id, type: 'oidc', issuer: 'https://idp.example', clientId: 'k', clientSecret: 's', domains });

  test('a second claim is refused by the API and the CLI, in any letter case, on create and on update', async () => {
    await admin.expect(201, 'POST', '/upstreams', oidc('acme', ['acme.example']));
    expect((await admin.call('POST', '/upstreams', oidc('rival', ['ACME.example']))).status).toBe(409);
    await admin.expect(201, 'POST', '/upstreams', oidc('rival', ['rival.example']));
    expect((await admin.call('PATCH', '/upstreams/rival', { domains: ['rival.example', 'acme.example'] })).status).toBe(409);
    const cli = await runCli(kl, ['upstreams', 'add', 'third', '--type', 'oidc', '--issuer', 'https://idp.example', '--client-id', 'k', '--domains', 'Acme.Example'], 's');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/acme\.example/);
    expect((await kl.store.upstreams.findByDomain('acme.example'))?.id).toBe('acme');
    expect((await admin.expect(200, 'GET', '/upstreams/rival')).domains).toEqual(['rival.example']);
  }, 60_000);

  test('of 10 upstreams claiming one domain at once, exactly one gets it', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => admin.call('POST', '/upstreams', oidc(`race-${index}`, ['race.example']))));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const winner = answers.find((answer) => answer.status === 201)!.body.id as string;
    expect((await kl.store.upstreams.findByDomain('race.example'))?.id).toBe(winner);
  }, 60_000);
});
