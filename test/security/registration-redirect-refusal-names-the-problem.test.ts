/**
 * Review of issue 19, item 19: /reg and its RFC 7592 update refuse a wildcard or plain-http
 * redirect URI, but oidc-provider's InvalidRedirectUri fixes its own error_description, so the
 * registrant was told "redirect_uri did not match any of the client's registered redirect_uris"
 * (an authorization-time message, and false here) instead of what is wrong with the URI it sent.
 */
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
let token: string;
beforeAll(async () => {
  kl = await startKeyline({ config: { registration: { dynamic: true } } });
  token = (JSON.parse((await runCli(kl, ['registration', 'token', 'create'])).stdout) as { initial_access_token: string }).initial_access_token;
});
afterAll(() => kl.stop());

function register(metadata: Record<string, unknown>) {
  return fetch(`${kl.url}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_name: 'Refusal words', ...metadata }),
  });
}

const CASES: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a wildcard redirect URI', { redirect_uris: ['https://*.example.test/cb'] }, /^redirect_uris: "https:\/\/\*\.example\.test\/cb" has a "\*"/],
  ['plain http to another machine', { redirect_uris: ['http://app.example.test/cb'] }, /^redirect_uris: "http:\/\/app\.example\.test\/cb" uses plain http/],
  ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, /^redirect_uris: "javascript:alert\(1\)" is not an https URL/],
  ['a plain-http post-logout URI', { redirect_uris: ['https://app.example.test/cb'], post_logout_redirect_uris: ['http://app.example.test/bye'] }, /^post_logout_redirect_uris: "http:\/\/app\.example\.test\/bye"/],
];

test.each(CASES)('/reg refuses %s saying what is wrong with it', async (_case, metadata, description) => {
  const answer = await register(metadata);
  expect(answer.status).toBe(400);
  const body = await answer.json() as { error: string; error_description: string };
  expect(body.error).toBe('invalid_redirect_uri');
  expect(body.error_description).toMatch(description);
  expect(body.error_description).not.toMatch(/did not match/);
});

test('an RFC 7592 update is refused with the same words', async () => {
  const registered = await (await register({ redirect_uris: ['https://app.example.test/cb'] })).json() as
    { registration_client_uri: string; registration_access_token: string; client_id: string };
  const answer = await fetch(registered.registration_client_uri, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registered.registration_access_token}` },
    body: JSON.stringify({ client_id: registered.client_id, client_name: 'Refusal words', redirect_uris: ['https://app.example.test/*'] }),
  });
  expect(answer.status).toBe(400);
  const body = await answer.json() as { error: string; error_description: string };
  expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(/^redirect_uris: "https:\/\/app\.example\.test\/\*" has a "\*"/) });
});
