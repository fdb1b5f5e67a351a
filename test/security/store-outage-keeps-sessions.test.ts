/**
 * Issue 19, item 23: a store outage on MongoDB logged people out. Under load, a refresh consumed
 * the old refresh token, failed to save the new one and answered 503; the client's retry with the
 * old token then counted as reuse and revoked the grant. Some outages answered 500 (an audit
 * write's MongoBulkWriteError, a "socket has been ended"), and Keyline once took minutes to
 * reconnect. Here the MongoDB-wire store is stopped mid-load, several times: every answer is a
 * 200 or a 503, no grant is revoked, and service is back within seconds of the store.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startFerretDb, uniqueDatabaseUrl, type FerretDbServer } from '../support/mongo-server.ts';
import { migrateMongo } from '../../src/store/mongo/mongo-indexes.ts';
import { createMongoClient } from '../../src/store/mongo/mongo-connection.ts';
import type { Connection } from 'mongodb/lib/cmap/connection.js';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import {
  createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient,
} from '../support/oidc-flow.ts';

const SESSIONS = 6;
const OUTAGES = 4;
/** "Within seconds": how long service may take to come back once the store answers again. */
const RECOVERY_LIMIT_MS = 10_000;

let ferret: FerretDbServer;
let kl: RunningKeyline;
let client: TestClient;

beforeAll(async () => {
  ferret = await startFerretDb();
  const databaseUrl = uniqueDatabaseUrl(ferret.url);
  await migrateMongo(databaseUrl);
  // The driver's own connection options, as an operator gets them. (Each session refreshes one
  // request at a time, so FerretDB v1's unisolated concurrent updates, see backends.ts, play no part.)
  kl = await startKeyline({ store: databaseUrl });
  client = await registerTestClient(kl);
}, 60_000);
afterAll(async () => {
  await kl?.stop();
  await ferret?.stop({ removeData: true });
});

interface Session {
  refreshToken: string;
  /** Status (and OAuth error) of every answer, in order. */
  answers: string[];
}

async function startSession(): Promise<Session> {
  const user = await createTestUser(kl);
  const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
  const tokens = await exchangeCode(kl, client, signedIn);
  return { refreshToken: String(tokens.body.refresh_token), answers: [] };
}

/** A client that refreshes again and again, and after a 503 retries with the token it has. */
async function keepRefreshing(session: Session, until: { done: boolean }): Promise<void> {
  while (!until.done) {
    let status: string;
    try {
      const answer = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: session.refreshToken });
      status = answer.status === 200 ? '200' : `${answer.status} ${String(answer.body.error)}`;
      if (answer.status === 200) session.refreshToken = String(answer.body.refresh_token);
    } catch (error) {
      status = `no answer: ${(error as Error).message}`;
    }
    session.answers.push(status);
    if (status !== '200') await sleep(100);
  }
}

async function readyWithin(limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${kl.url}/readyz`)).status === 200) return true;
    await sleep(100);
  }
  return false;
}

/** The driver's pooled connections to the one server (driver internals: the state under test lives there). */
function pooledConnections(client: object): Array<Connection & { command(ns: { db: string }, command: object, options: object): Promise<unknown> }> {
  const { topology } = client as { topology: { s: { servers: Map<string, { pool: { connections: Iterable<never> } }> } } };
  return [...topology.s.servers.values()].flatMap((server) => [...server.pool.connections]);
}

// What kept Keyline away from a restarted store: a command written to a connection whose socket
// the server had just closed (destroyed, its 'close' event not yet delivered) waited forever for
// a 'drain' that never comes. On the monitor's connection that stopped heartbeats for good; on a
// pooled one it held a request forever. It must fail like any network error instead.
test('a command on a connection the server has just closed fails as a network error instead of hanging', async () => {
  const mongo = createMongoClient(ferret.url, { serverSelectionTimeoutMS: 5000 });
  try {
    await mongo.db('admin').command({ ping: 1 });
    const [connection] = pooledConnections(mongo);
    expect(connection).toBeDefined();
    connection!.socket.destroy();
    await expect(connection!.command({ db: 'admin' }, { ping: 1 }, {})).rejects.toMatchObject({ name: 'MongoNetworkError' });
    // and the client goes on with a new connection
    expect(await mongo.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  } finally {
    await mongo.close();
  }
});

test(`the store stopped ${OUTAGES} times under refresh load: only 503s, no session ends, service is back within seconds`, async () => {
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, startSession));
  const until = { done: false };
  const load = Promise.all(sessions.map((session) => keepRefreshing(session, until)));
  const recovered: boolean[] = [];
  try {
    for (let outage = 0; outage < OUTAGES; outage += 1) {
      await sleep(600);
      await ferret.stop();
      await sleep(1500);
      ferret = await startFerretDb({ port: ferret.port, dataDirectory: ferret.dataDirectory });
      recovered.push(await readyWithin(RECOVERY_LIMIT_MS));
    }
    await sleep(600);
  } finally {
    until.done = true;
    await load;
  }

  expect(recovered).toEqual(Array.from({ length: OUTAGES }, () => true));
  const seen = new Set(sessions.flatMap((session) => session.answers));
  expect([...seen].filter((status) => status !== '200' && !status.startsWith('503 '))).toEqual([]);
  expect(seen.has('200')).toBe(true);
  // Every session still refreshes: no outage revoked a grant.
  const finals = await Promise.all(sessions.map((session) => (
    tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: session.refreshToken }))));
  expect(finals.map((answer) => answer.status)).toEqual(Array.from({ length: SESSIONS }, () => 200));
}, 180_000);
