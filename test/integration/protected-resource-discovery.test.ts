import { setTimeout as sleep } from 'node:timers/promises';
import { startResourceServer, type ResourceServerExample } from '../../examples/resource-server.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const CONFIGURED = 'https://configured-api.example.test';
const CONFIGURED_METADATA = 'https://configured-api.example.test/.well-known/oauth-protected-resource';
const UNDESCRIBED = 'https://quiet-api.example.test';

interface Discovery {
  issuer: string;
  protected_resources?: string[];
  keyline_protected_resource_metadata?: Record<string, string>;
}

let kl: RunningKeyline;
let api: ResourceServerExample;
beforeAll(async () => {
  kl = await startKeyline({
    config: { resources: { [CONFIGURED]: { scopes: ['read'], metadataUri: CONFIGURED_METADATA }, [UNDESCRIBED]: { scopes: ['read'] } } },
  });
});
afterAll(async () => {
  api?.server.close();
  await kl.stop();
});

async function discovery(path = '/.well-known/openid-configuration'): Promise<Discovery> {
  return await (await fetch(`${kl.url}${path}`)).json() as Discovery;
}

test('discovery lists the resources configured with their RFC 9728 metadata URL, and only those', async () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const metadata = await discovery(path);
    expect(metadata.protected_resources).toEqual([CONFIGURED]);
    expect(metadata.keyline_protected_resource_metadata).toEqual({ [CONFIGURED]: CONFIGURED_METADATA });
  }
});

test('a resource added with `keyline resources add --metadata-uri` is listed by the running server; the example API\'s metadata there names the same resource and Keyline', async () => {
  const resource = 'https://example-api.example.test';
  api = await startResourceServer(kl.url, resource);
  const metadataUri = `${api.url}/.well-known/oauth-protected-resource`;
  const added = await runCli(kl, ['resources', 'add', resource, '--scopes', 'read', '--metadata-uri', metadataUri]);
  expect(added.stderr).toBe('');
  expect(JSON.parse(added.stdout)).toMatchObject({ indicator: resource, metadataUri });
  await sleep(300);

  const listed = await discovery();
  expect(listed.protected_resources).toEqual([CONFIGURED, resource]);
  const linked = listed.keyline_protected_resource_metadata![resource]!;
  expect(linked).toBe(metadataUri);

  // RFC 9728 §3.3: the metadata's resource must be the identifier it was looked up for.
  const published = await (await fetch(linked)).json() as { resource: string; authorization_servers: string[] };
  expect(published.resource).toBe(resource);
  expect(published.authorization_servers).toContain(listed.issuer);

  const shown = await runCli(kl, ['resources', 'list']);
  expect(shown.stdout).toContain(`metadata: ${metadataUri}`);
});

test('a bad --metadata-uri is refused in one line', async () => {
  const refused = await runCli(kl, ['resources', 'add', 'https://other-api.example.test', '--metadata-uri', 'not a url']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr.trim()).toBe('keyline: --metadata-uri: "not a url" is not an http:// or https:// URL without a #fragment');
});

test('without any resource metadata configured, discovery carries neither field', async () => {
  const plain = await startKeyline();
  try {
    const metadata = await (await fetch(`${plain.url}/.well-known/openid-configuration`)).json() as Discovery;
    expect(metadata).not.toHaveProperty('protected_resources');
    expect(metadata).not.toHaveProperty('keyline_protected_resource_metadata');
  } finally {
    await plain.stop();
  }
});
