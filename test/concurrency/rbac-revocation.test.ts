/**
 * "A role revoked is missing from the next token", under load, across nodes: three Keyline
 * processes on one store behind a round-robin proxy, 50 refreshes (each of its own refresh token)
 * kept ten at a time in flight, while the role is revoked through the admin API on one of the
 * nodes. Every refresh SENT after the revocation's answer arrived must have neither the role nor
 * the permission (nor the scope) it gave. Refreshes in flight while the revocation was being made
 * may go either way: the store decides which came first, and neither answer is wrong.
 *
 * Keyline keeps no cache of roles: each token request reads them from the store once. On
 * MongoDB that relies only on a read after an acknowledged write (primary reads, the driver's
 * default) seeing it; FerretDB shows that much, and no more.
 */
import { decodeJwt, type JWTPayload } from 'jose';
import { mongoBackend, sqliteBackend, threeNodes, type Backend } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import {
  createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { addGroup, addMember, addRole, grant, revoke } from '../support/rbac-setup.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const ORDERS = 'https://orders.example.test';
const REFRESHES = 50;
const IN_FLIGHT = 10;
/** The revocation is sent once this many refreshes have been answered (all of them with the role). */
const REVOKE_AFTER = 10;
/** These wait for the revocation's answer and are sent together: at least this many start after it. */
const SENT_AFTER = 10;

afterAll(stopMongoTestServer);

interface Refresh {
  sentAfterRevocationAnswered: boolean;
  answeredBeforeRevocationSent: boolean;
  status: number;
  claims?: JWTPayload;
}

function describeRevocation(backend: Backend): void {
  describe(`a role revoked during ${REFRESHES} concurrent refreshes on ${backend.name}`, () => {
    let kl: RunningKeyline;
    let cleanup: () => Promise<void>;
    let app: TestClient;
    let user: TestUser;

    beforeAll(async () => {
      ({ kl, cleanup } = await startOnBackend(backend, {
        config: { resources: { [ORDERS]: { scopes: ['orders:read', 'orders:write'], rbac: true } } },
      }));
      app = await registerTestClient(kl, { resources: [ORDERS], scopes: 'openid offline_access orders:read orders:write' });
      user = await createTestUser(kl);
      await addGroup(kl, 'readers');
      await addMember(kl, 'readers', user.id);
      await addRole(kl, 'order-reader', ORDERS, ['orders:read']);
      await addRole(kl, 'order-writer', ORDERS, ['orders:read', 'orders:write']);
      await grant(kl, 'order-reader', { group: 'readers' });
      await grant(kl, 'order-writer', { user: user.id });
    }, 120_000);
    afterAll(async () => {
      await kl.stop();
      await cleanup();
    });

    test('no refresh sent after the revocation was answered carries the role or its permission', async () => {
      // One refresh token per authorization, from one browser session (the password is checked once).
      const browser = new BrowserLikeClient();
      const refreshTokens: string[] = [];
      for (let index = 0; index < REFRESHES; index += 1) {
        const signedIn = await signIn(kl, app, user, { browser, scope: 'openid offline_access orders:read orders:write', params: { prompt: 'consent', resource: ORDERS } });
        const tokens = (await exchangeCode(kl, app, signedIn)).body;
        expect(decodeJwt(String(tokens.access_token))).toMatchObject({ roles: ['order-reader', 'order-writer'] });
        refreshTokens.push(String(tokens.refresh_token));
      }

      let revocationSent = false;
      let revocationAnswered = false;
      let answered = 0;
      let revocation: Promise<void> | undefined;
      let revoked!: () => void;
      const revocationAnswer = new Promise<void>((resolve) => { revoked = resolve; });

      const refresh = async (refreshToken: string): Promise<Refresh> => {
        const sentAfterRevocationAnswered = revocationAnswered;
        const answer = await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: refreshToken });
        const result: Refresh = {
          sentAfterRevocationAnswered,
          answeredBeforeRevocationSent: !revocationSent,
          status: answer.status,
          claims: answer.status === 200 ? decodeJwt(String(answer.body.access_token)) : undefined,
        };
        answered += 1;
        if (answered === REVOKE_AFTER) {
          revocationSent = true;
          revocation = revoke(kl, 'order-writer', { user: user.id }).then(() => {
            revocationAnswered = true;
            revoked();
          });
        }
        return result;
      };

      // A stream of refreshes, IN_FLIGHT at a time, over the three nodes in turn; the last SENT_AFTER wait for the revocation's answer.
      const streamed = refreshTokens.slice(0, REFRESHES - SENT_AFTER);
      const waiting = refreshTokens.slice(REFRESHES - SENT_AFTER);
      const results: Refresh[] = [];
      const lane = async () => {
        for (let next = streamed.shift(); next; next = streamed.shift()) results.push(await refresh(next));
      };
      const after = revocationAnswer.then(() => Promise.all(waiting.map(refresh))).then((done) => { results.push(...done); });
      await Promise.all([...Array.from({ length: IN_FLIGHT }, lane), after]);
      await revocation;

      expect(results).toHaveLength(REFRESHES);
      expect(results.every((result) => result.status === 200)).toBe(true);
      // Before the revocation was sent, the role was there: the test can see a token with it.
      const before = results.filter((result) => result.answeredBeforeRevocationSent);
      expect(before.length).toBeGreaterThanOrEqual(REVOKE_AFTER - 1);
      for (const result of before) expect(result.claims).toMatchObject({ roles: ['order-reader', 'order-writer'], scope: 'orders:read orders:write' });

      const afterAnswer = results.filter((result) => result.sentAfterRevocationAnswered);
      expect(afterAnswer.length).toBeGreaterThanOrEqual(SENT_AFTER);
      for (const result of afterAnswer) {
        expect(result.claims).toMatchObject({ roles: ['order-reader'], permissions: ['orders:read'], scope: 'orders:read' });
      }
    }, 180_000);
  });
}

describeRevocation(threeNodes(sqliteBackend));
describeRevocation(threeNodes(await mongoBackend()));
