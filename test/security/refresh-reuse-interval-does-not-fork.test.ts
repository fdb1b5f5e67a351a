/**
 * Issue 19, item 10: the refresh-token reuse interval forked the family. A rotated token presented
 * again inside the interval started a second valid chain, and neither chain ever presented a
 * consumed token, so a thief's chain lived beside the owner's undetected. A rotated token has one
 * successor: every presentation inside the interval gets that same successor, and presenting any
 * superseded token once its successor was used (or after the interval) revokes the grant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { statuses } from '../support/answer-statuses.ts';
import { allBackends, type Backend } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  createTestUser, exchangeCode, introspect, registerTestClient, signIn, tokenRequest, type TestClient,
} from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

// Long enough that a race loser is judged inside it on a loaded machine (2 s was not, once, under load).
const INTERVAL = 5;
const RACERS = 20;
const backends = await allBackends();
afterAll(stopMongoTestServer);

function describeOn(backend: Backend): void {
  describe(`a rotated refresh token presented again, on ${backend.name}`, () => {
    let kl: RunningKeyline;
    let cleanup: () => Promise<void>;
    let client: TestClient;

    beforeAll(async () => {
      ({ kl, cleanup } = await startOnBackend(backend, { config: { ttl: { refreshTokenReuseInterval: INTERVAL } } }));
      client = await registerTestClient(kl);
    });
    afterAll(async () => {
      await kl.stop();
      await cleanup();
    });

    async function freshTokens(): Promise<Record<string, unknown>> {
      const user = await createTestUser(kl);
      const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
      return (await exchangeCode(kl, client, signedIn)).body;
    }

    const refresh = (token: unknown) => tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(token) });

    test('many presenting one token at once all get one and the same successor', async () => {
      const first = await freshTokens();
      const answers = await Promise.all(Array.from({ length: RACERS }, () => refresh(first.refresh_token)));

      expect(statuses(answers)).toEqual({ 200: RACERS });
      expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(1);
    });

    test('a replay inside the interval gets the same successor, so a thief and the owner share one chain and the first reuse ends it', async () => {
      const first = await freshTokens();
      const owner = await refresh(first.refresh_token);
      expect(owner.status).toBe(200);

      const thief = await refresh(first.refresh_token);
      expect(thief.status).toBe(200);
      expect(thief.body.refresh_token).toBe(owner.body.refresh_token);

      // The owner goes on; the thief's copy of the successor is now superseded, and presenting it revokes the grant.
      const ownerNext = await refresh(owner.body.refresh_token);
      expect(ownerNext.status).toBe(200);
      const thiefNext = await refresh(thief.body.refresh_token);
      expect(thiefNext.status).toBe(200);
      expect(thiefNext.body.refresh_token).toBe(ownerNext.body.refresh_token);
      const owner3 = await refresh(ownerNext.body.refresh_token);
      expect(owner3.status).toBe(200);
      expect((await refresh(ownerNext.body.refresh_token)).status).toBe(200);
      // Any superseded token whose successor was already used: reuse, the whole family goes.
      const reuse = await refresh(owner.body.refresh_token);
      expect(reuse.status).toBe(400);
      expect(reuse.body.error).toBe('invalid_grant');
      expect((await refresh(owner3.body.refresh_token)).body.error).toBe('invalid_grant');
      expect((await introspect(kl, client, String(owner3.body.access_token))).active).toBe(false);
    });

    test('the first token presented again after its successor was used revokes the whole family', async () => {
      const first = await freshTokens();
      const second = await refresh(first.refresh_token);
      const third = await refresh(second.body.refresh_token);
      expect(third.status).toBe(200);

      const reuse = await refresh(first.refresh_token);
      expect(reuse.body.error).toBe('invalid_grant');
      expect((await refresh(third.body.refresh_token)).body.error).toBe('invalid_grant');
    });

    test('after the interval a superseded token revokes the family, whatever it was replayed into before', async () => {
      const first = await freshTokens();
      const rotated = await refresh(first.refresh_token);
      const replays = await Promise.all(Array.from({ length: 5 }, () => refresh(first.refresh_token)));
      expect(statuses(replays)).toEqual({ 200: 5 });

      await sleep((INTERVAL + 1.5) * 1000);
      const late = await refresh(first.refresh_token);
      expect(late.body.error).toBe('invalid_grant');
      for (const answer of [rotated, ...replays]) {
        expect((await refresh(answer.body.refresh_token)).body.error).toBe('invalid_grant');
      }
    });
  });
}

for (const backend of backends) describeOn(backend);
