import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/** Every list or URI in the registration metadata, and a few other fields a policy reads. */
const LIST_FIELDS = ['redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'response_types', 'contacts', 'default_acr_values', 'response_modes'];
const URI_FIELDS = ['request_uris', 'jwks_uri', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'backchannel_logout_uri', 'initiate_login_uri', 'sector_identifier_uri'];
const OTHER_FIELDS = ['scope', 'token_endpoint_auth_method', 'client_name', 'jwks', 'client_id', 'keyline_require_mfa', 'keyline_resources', 'keyline_api_scopes'];
/** What a list must not be: it must then be refused with a 400 that names the metadata, as JSON. */
const NOT_A_LIST: Array<[string, unknown]> = [['an object', { 0: 'https://app.example.test/cb' }], ['a string', 'https://app.example.test/cb'], ['a number', 42], ['a boolean', true]];
const HOSTILE: Array<[string, unknown]> = [...NOT_A_LIST, ['null', null], ['a list of numbers', [42]], ['a list of objects', [{}]], ['a list with null', [null]], ['a deep object', { a: { b: [{}] } }]];

const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Hostile Input App' };

describe.each(backends)('registration metadata of the wrong shape on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let initialAccessToken: string;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
    const created = await runCli(kl, ['registration', 'token', 'create']);
    initialAccessToken = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  const send = (method: string, url: string, token: string, body: unknown) => fetch(url, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

  async function judged(answer: Response): Promise<{ status: number; error?: string; json: boolean }> {
    const text = await answer.text();
    const json = (answer.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: answer.status, json, error: json ? (JSON.parse(text) as { error?: string }).error : undefined };
  }

  test.each(LIST_FIELDS.flatMap((field) => NOT_A_LIST.map(([what, value]) => [field, what, value] as const)))(
    'POST /reg with %s as %s is a 400 invalid_client_metadata or invalid_redirect_uri, in JSON',
    async (field, _what, value) => {
      const answer = await judged(await send('POST', `${kl.url}/reg`, initialAccessToken, { ...webApp, [field]: value }));
      expect(answer).toEqual({ status: 400, json: true, error: expect.stringMatching(/^(invalid_client_metadata|invalid_redirect_uri)$/) });
    },
  );

  test('no shape of any field, registered or updated, gives a 5xx or an answer that is not JSON', async () => {
    const created = await send('POST', `${kl.url}/reg`, initialAccessToken, webApp);
    expect(created.status).toBe(201);
    const client = await created.json() as { client_id: string; registration_access_token: string; registration_client_uri: string };
    let registrationAccessToken = client.registration_access_token;
    const failures: string[] = [];
    for (const field of [...LIST_FIELDS, ...URI_FIELDS, ...OTHER_FIELDS]) {
      for (const [what, value] of HOSTILE) {
        const registered = await judged(await send('POST', `${kl.url}/reg`, initialAccessToken, { ...webApp, [field]: value }));
        if (registered.status >= 500 || !registered.json) failures.push(`POST ${field} as ${what}: ${registered.status}`);
        const update = await send('PUT', client.registration_client_uri, registrationAccessToken, { ...webApp, client_id: client.client_id, [field]: value });
        if (update.status === 200) {
          registrationAccessToken = (await update.clone().json() as { registration_access_token: string }).registration_access_token;
        }
        const updated = await judged(update);
        if (updated.status >= 500 || !updated.json) failures.push(`PUT ${field} as ${what}: ${updated.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
