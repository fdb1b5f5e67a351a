import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../support/run-main.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';

test('starts with defaults on a fresh data directory, serves discovery, and stops cleanly on SIGTERM', async () => {
  const directory = temporaryDirectory();
  try {
    let discovery: Record<string, unknown> = {};
    const result = await runMain({ KEYLINE_STORE: join(directory.path, 'data', 'keyline.sqlite'), KEYLINE_CONFIG: '/dev/null' }, async (url) => {
      discovery = await (await fetch(`${url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    });
    expect(result.code).toBe(0);
    expect(discovery.response_types_supported).toEqual(['code']);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(discovery.grant_types_supported).not.toContain('implicit');
    expect(discovery.authorization_response_iss_parameter_supported).toBe(true);
    expect(result.stdout).toMatch(/generated one and kept it in the store/);
    expect(result.stdout.match(/generated one/g)).toHaveLength(1);
  } finally {
    directory.remove();
  }
});

test('an invalid value stops the process with one line naming the key and what is wrong', async () => {
  const result = await runMain({ PORT: '70000', KEYLINE_CONFIG: '/dev/null' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^keyline: invalid configuration:\n\s+port \(PORT\): .*65535.*\n$/);
});

test('a config file with a misspelt key and a bad issuer names both', async () => {
  const directory = temporaryDirectory();
  try {
    const file = join(directory.path, 'keyline.yaml');
    writeFileSync(file, 'issuer: not a url\nprot: 3000\n');
    const result = await runMain({ KEYLINE_CONFIG: file });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n').slice(1).map((line) => line.trim());
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^issuer \(KEYLINE_ISSUER\): must be an http:\/\/ or https:\/\/ URL$/),
      expect.stringMatching(/^\(top level\): Unrecognized key.*prot$/),
    ]));
  } finally {
    directory.remove();
  }
});

test('a missing config file named by KEYLINE_CONFIG is one precise line', async () => {
  const result = await runMain({ KEYLINE_CONFIG: '/nonexistent/keyline.yaml' });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('KEYLINE_CONFIG: cannot read /nonexistent/keyline.yaml (ENOENT)');
});

test('an unreachable MongoDB stops start-up with a precise message and no stack trace', async () => {
  const result = await runMain({ KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: 'mongodb://127.0.0.1:1/keyline?serverSelectionTimeoutMS=500' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^keyline: .*(MongoDB|unreachable|cannot reach).*\n$/i);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('with the shipped config and no issuer set, the issuer follows the port, and the start line names the store', async () => {
  const directory = temporaryDirectory();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  try {
    let issuer = '';
    const store = join(directory.path, 'keyline.sqlite');
    const result = await runMain({ PORT: String(port), KEYLINE_STORE: store }, async (url) => {
      issuer = String(((await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as { issuer: string }).issuer);
    });
    expect(issuer).toBe(`http://localhost:${port}`);
    expect(result.stdout).toContain(`"store":"SQLite at ${store}"`);
  } finally {
    directory.remove();
  }
});
