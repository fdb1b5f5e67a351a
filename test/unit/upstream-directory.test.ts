import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpstreamDirectory } from '../../src/federation/upstream-directory.ts';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';
import type { Store, UpstreamRecord } from '../../src/store/store.ts';

/**
 * A running node sees upstream changes another process (the CLI, another node) makes, without a
 * restart: two stores open on one file stand for the two processes; the node rechecks the revision
 * at every read here (recheckMs 0), so no waiting is involved.
 */
const directory = mkdtempSync(join(tmpdir(), 'keyline-upstreams-'));
const file = join(directory, 'keyline.db');
let node: Store;
let cli: Store;
beforeAll(() => {
  node = openSqliteStore(file, { sweepIntervalMs: 0, checkpointInWorker: false });
  cli = openSqliteStore(file, { sweepIntervalMs: 0, checkpointInWorker: false });
});
afterAll(async () => {
  await node.close();
  await cli.close();
  rmSync(directory, { recursive: true, force: true });
});

const now = new Date();
const upstream = (id: string, domains: string[], enabled = true): UpstreamRecord => ({
  id, name: id, type: 'oidc', enabled, preset: null, settings: {}, sealedSecrets: {}, domains, provisioning: 'create', sync: 'always',
  trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false, createdAt: now, updatedAt: now,
});

test('what another process adds, disables, moves or removes is what the node offers next', async () => {
  const upstreams = new UpstreamDirectory(node.upstreams, 0);
  expect(await upstreams.offered()).toEqual([]);

  await cli.upstreams.create(upstream('acme', ['acme.example']));
  await cli.upstreams.create(upstream('beta', [], false));
  expect((await upstreams.offered()).map((found) => found.id)).toEqual(['acme']);
  expect((await upstreams.forEmail('Someone@ACME.example'))?.id).toBe('acme');
  expect(await upstreams.enabled('beta')).toBeUndefined();

  await cli.upstreams.update('beta', { enabled: true, domains: ['acme.example'.replace('acme', 'beta')] });
  await cli.upstreams.update('acme', { domains: [] });
  expect((await upstreams.offered(['beta', 'acme', 'nobody'])).map((found) => found.id)).toEqual(['beta', 'acme']);
  expect(await upstreams.forEmail('someone@acme.example')).toBeUndefined();
  expect((await upstreams.enabled('beta'))?.domains).toEqual(['beta.example']);

  await cli.upstreams.remove('acme');
  expect((await upstreams.offered()).map((found) => found.id)).toEqual(['beta']);
  expect(await upstreams.enabled('acme')).toBeUndefined();
});
