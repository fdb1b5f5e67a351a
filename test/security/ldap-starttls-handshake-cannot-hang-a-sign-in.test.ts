import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * A stand-in for a directory (or whatever sits on the path to it) that says yes to StartTLS and
 * then never completes the TLS handshake. ldapts bounds each LDAP operation and the TCP connect,
 * but not the handshake that follows a StartTLS "success": without a bound of Keyline's own, the
 * person's sign-in (and a connection on each side) waited forever.
 */
async function startTlsThatStalls(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      // LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp ... }: echo the id in an
      // ExtendedResponse (APPLICATION 24) with resultCode success, then say nothing more.
      if (chunk[0] !== 0x30) return;
      const lengthBytes = chunk[1]! & 0x80 ? chunk[1]! & 0x7f : 0;
      const idAt = 2 + lengthBytes;
      const id = chunk.subarray(idAt, idAt + 2 + chunk[idAt + 1]!);
      if (chunk[idAt + id.length] !== 0x77) return;
      requests += 1;
      const result = Buffer.from([0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
      socket.write(Buffer.concat([Buffer.from([0x30, id.length + result.length]), id, result]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ldap://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let stalling: Awaited<ReturnType<typeof startTlsThatStalls>>;
beforeAll(async () => { stalling = await startTlsThatStalls(); });
afterAll(() => stalling.close());

describe.each(backends)('a StartTLS handshake that never ends on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    const directory = { url: stalling.url, serviceDn: 'cn=keyline,dc=acme,dc=test', servicePassword: 'service secret', peopleBase: 'ou=people,dc=acme,dc=test', groupsBase: 'ou=groups,dc=acme,dc=test' } as TestDirectory;
    await addDirectoryUpstream(await AdminSession.open(kl), directory, { startTls: true });
  });

  test('the sign-in answers with the directory-unavailable page, and no password was sent', async () => {
    const before = stalling.requests();
    const answer = await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, ALICE.password);
    expect(stalling.requests()).toBe(before + 1);
    expect(answer.status).toBe(503);
    expect(answer.text).toContain('cannot be reached right now');
    expect(answer.text).not.toContain(ALICE.password);
  }, 30_000);
});
