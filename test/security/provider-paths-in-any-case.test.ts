import { useKeyline } from '../support/keyline-fixture.ts';
import { sqliteBackend } from '../support/backends.ts';
import { authorizeUrl, basicAuth, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * oidc-provider's router matches its routes in any ASCII case and with one trailing slash
 * (`/TOKEN`, `/Auth/`), while Keyline's own checks in front of it compared `ctx.path` exactly: a
 * changed case or a trailing slash reached the endpoint without them. Each test names the check.
 */
const JDK_ACCEPT = 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2';

describe('a provider route in another case or with a trailing slash passes the same checks', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(sqliteBackend, {}, (ready) => { ({ kl, client } = ready); });

  test.each(['/TOKEN', '/Token', '/token/', '/Token/Introspection', '/TOKEN/REVOCATION', '/Device/Auth', '/REQUEST', '/ME'])(
    'POST %s answers JSON to the JDK default Accept',
    async (path) => {
      const answer = await fetch(new URL(path, kl.url), {
        method: 'POST',
        headers: { accept: JDK_ACCEPT, authorization: basicAuth({ ...client, clientSecret: 'wrong' }), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&token=x',
      });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(typeof (await answer.json() as { error?: unknown }).error).toBe('string');
    },
  );

  test.each(['/AUTH', '/Auth', '/auth/'])('%s refuses a state with a line break as /auth does', async (path) => {
    const url = new URL(authorizeUrl(kl, client, { state: 'a\r\nSet-Cookie: x=y', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }));
    url.pathname = path;
    const answer = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });

  test('the canonical paths still work, and an interaction id keeps its case', async () => {
    const url = new URL(authorizeUrl(kl, client, { state: 'ok', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }));
    url.pathname = '/Auth';
    const answer = await fetch(url, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/^\/interaction\/[\w-]+$/);
  });
});
