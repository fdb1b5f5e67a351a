import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { attemptLogin, createTestUser, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * A proxy on an IPv6 listener may write an IPv4 client as an IPv4-mapped address in any of its
 * spellings (`::ffff:cb00:7109`, `0:0:0:0:0:ffff:203.0.113.9`). Only the dotted short form was
 * recognised: every other spelling counted as IPv6, and every IPv4 client shared the one /64 they
 * all sit in (::/64), so one client's failures locked out every IPv4 client behind that proxy,
 * while the same client in another spelling was a fresh address.
 */
const IP_MAX = 3;

describe('an IPv4 client written as an IPv4-mapped IPv6 address is that IPv4 client', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(sqliteBackend, {
    config: { proxy: true, login: { ipMaxFailures: IP_MAX, lockAfterFailures: 100, backoffAfterFailures: 100 } },
  }, (ready) => { ({ kl, client } = ready); });

  test("one IPv4 client's failures do not lock out another IPv4 client", async () => {
    for (let i = 0; i < IP_MAX; i += 1) {
      const answer = await attemptLogin(kl, client, `mapped-a${i}@example.test`, 'wrong password', { 'x-forwarded-for': '::ffff:cb00:7109' });
      expect(answer.status).toBe(401);
    }
    const other = await attemptLogin(kl, client, 'mapped-b@example.test', 'wrong password', { 'x-forwarded-for': '0:0:0:0:0:ffff:198.51.100.7' });
    expect(other.status).toBe(401);
  });

  test('the same IPv4 client in another spelling is still the same client', async () => {
    const spellings = ['::ffff:cb00:710a', '0:0:0:0:0:FFFF:203.0.113.10', '::ffff:203.0.113.10'];
    for (const [i, spelling] of spellings.entries()) {
      const answer = await attemptLogin(kl, client, `spelt${i}@example.test`, 'wrong password', { 'x-forwarded-for': spelling });
      expect(answer.status).toBe(401);
    }
    const dotted = await attemptLogin(kl, client, 'spelt-dotted@example.test', 'wrong password', { 'x-forwarded-for': '203.0.113.10' });
    expect(dotted.status).toBe(429);
  });

  test('the audit trail records the IPv4 address', async () => {
    const user = await createTestUser(kl);
    await attemptLogin(kl, client, user.email, 'wrong password', { 'x-forwarded-for': '::ffff:cb00:710b' });
    const [event] = await kl.store.audit.query({ email: user.email, type: 'login.failed', limit: 5 });
    expect(event?.ip).toBe('203.0.113.11');
  });
});
