/**
 * The receivers an upstream calls (back-channel logout, the shared-signals push endpoint) are
 * machine endpoints: whatever the method and whatever Accept says (a JDK client prefers HTML), every
 * answer is JSON, never Keyline's HTML error page. Found in the attacker review of fed-logout: a GET,
 * PUT or DELETE there (or a path one character off) answered a 404 page in HTML.
 */
import { sqliteBackend } from '../support/backends.ts';
import { useUpstreamLogout } from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test.each([
  ['GET', '/federation/acme/backchannel-logout'],
  ['PUT', '/federation/acme/backchannel-logout'],
  ['DELETE', '/federation/acme/backchannel-logout'],
  ['GET', '/federation/acme/events'],
  ['PUT', '/federation/acme/events'],
  ['PATCH', '/federation/acme/events'],
  ['GET', '/federation/nobody/backchannel-logout'],
])('%s %s answers JSON to a browser\'s Accept', async (method, path) => {
  const { kl } = setup();
  const answer = await fetch(`${kl.url}${path}`, { method, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await answer.json()).toHaveProperty('error');
});
