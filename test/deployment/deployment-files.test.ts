import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

// CI has no Docker engine, so `docker compose config` cannot run: these tests read the files instead.
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const { mongo, migrate, keyline } = compose.services;

describe('docker-compose.yml', () => {
  test('runs MongoDB 8 as a single-node replica set that initiates itself and reports health', () => {
    expect(mongo?.image).toMatch(/^mongo:8(\.|$)/);
    expect(mongo?.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    const check = mongo?.healthcheck?.test.join(' ') ?? '';
    expect(check).toContain('rs.initiate');
    expect(check).toContain('isWritablePrimary');
  });

  test('runs a one-shot migrate once MongoDB is healthy', () => {
    expect(migrate?.build).toBeDefined();
    expect(migrate?.command).toEqual(['node', 'bin/keyline.js', 'migrate']);
    expect(migrate?.depends_on?.mongo?.condition).toBe('service_healthy');
    expect(migrate?.environment?.KEYLINE_STORE).toMatch(/^mongodb:\/\/mongo:27017\/keyline\?replicaSet=rs0$/);
  });

  test('runs Keyline from the Dockerfile on port 3000 after migrate, configured by environment', () => {
    expect(keyline?.build).toBeDefined();
    expect(keyline?.command).toEqual(['node', 'src/main.ts']);
    expect(keyline?.ports).toContain('3000:3000');
    expect(keyline?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(keyline?.environment).toMatchObject({
      KEYLINE_STORE: migrate?.environment?.KEYLINE_STORE,
      PORT: '3000',
    });
    for (const name of ['KEYLINE_ISSUER', 'KEYLINE_COOKIE_KEYS', 'KEYLINE_PROXY']) expect(keyline?.environment).toHaveProperty(name);
  });

  test('requires KEYLINE_SECRETS_KEY, the same for migrate and Keyline, and says how to make one', () => {
    const required = keyline?.environment?.KEYLINE_SECRETS_KEY;
    expect(required).toMatch(/^\$\{KEYLINE_SECRETS_KEY:\?.*openssl rand/);
    expect(migrate?.environment?.KEYLINE_SECRETS_KEY).toBe(required);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  test('builds on Node 24 with production dependencies only', () => {
    expect(instructions[0]).toMatch(/^FROM node:24[-\w.]*$/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
  });

  test('runs as a non-root user, exposes 3000 and starts the server', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users.at(-1)).not.toMatch(/root/);
    expect(users.length).toBeGreaterThan(0);
    expect(instructions).toContain('EXPOSE 3000');
    expect(instructions.at(-1)).toBe('CMD ["node", "src/main.ts"]');
  });

  test('copies everything the server needs at run time', () => {
    for (const path of ['src', 'views', 'locales', 'assets', 'config', 'bin']) expect(dockerfile).toMatch(new RegExp(`^COPY ${path} `, 'm'));
  });
});
