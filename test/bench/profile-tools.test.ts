import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuProfile, areaOf } from '../../bench/cpu-profile.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'keyline-profile-tools-'));

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id, callFrame: { functionName, url, lineNumber: 9 }, children,
});

/** A profile of `seconds` one-millisecond samples: idle, then `busy` split between a store call and oidc-provider. */
function writeProfile(name: string, samples: Array<'idle' | 'store' | 'provider'>): string {
  const ids = { idle: 2, store: 3, provider: 4 } as const;
  const profile = {
    nodes: [
      frame(1, '(root)', '', [2, 3, 4]),
      frame(2, '(idle)', ''),
      frame(3, 'findToken', 'file:///app/src/store/sqlite/sqlite-oidc-records.ts'),
      frame(4, 'dispatch', 'file:///app/node_modules/oidc-provider/lib/helpers/router.js'),
    ],
    samples: samples.map((kind) => ids[kind]),
    timeDeltas: samples.map(() => 1000),
  };
  const path = join(directory, name);
  writeFileSync(path, JSON.stringify(profile));
  return path;
}

const startUp = Array<'provider'>(500).fill('provider');
const keylineFile = writeProfile('keyline.cpuprofile', [...startUp, ...Array<'store'>(300).fill('store'), ...Array<'provider'>(700).fill('provider'), ...Array<'idle'>(100).fill('idle')]);
const peerFile = writeProfile('peer.cpuprofile', [...Array<'provider'>(600).fill('provider'), ...Array<'idle'>(400).fill('idle')]);

describe('the CPU profile tools (bench/)', () => {
  it('leave out the first seconds of a profile and name each frame by its area', () => {
    const samples = [...new CpuProfile(keylineFile).samples(0.5)];
    expect(samples).toHaveLength(1100);
    const byArea = new Map<string, number>();
    for (const { node, micros } of samples) {
      const area = areaOf(node.callFrame.url, node.callFrame.functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + micros);
    }
    expect(Object.fromEntries(byArea)).toEqual({ 'keyline src/store': 300_000, 'oidc-provider': 700_000, '(idle)': 100_000 });
  });

  it('profile-diff prints what Keyline spends per operation beyond the peer, function by function', () => {
    // 100 operations each: Keyline is busy 1000 ms after its start-up (10 ms/op), the peer 600 ms (6 ms/op).
    const run = spawnSync(process.execPath, ['bench/profile-diff.ts', keylineFile, peerFile, '--ops', '100,100', '--skip', '0.5,0'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Keyline 10000.0 µs, peer 6000.0 µs, extra 4000.0 µs');
    expect(run.stdout).toMatch(/ 3000\.0 {2}3000\.0 {5}0\.0 {2}findToken src\/store\/sqlite\/sqlite-oidc-records\.ts:10/);
    expect(run.stdout).toMatch(/ 1000\.0 {2}7000\.0 {2}6000\.0 {2}dispatch oidc-provider\/lib\/helpers\/router\.js:10/);
  });

  it('profile-diff refuses to run without the operation counts', () => {
    const run = spawnSync(process.execPath, ['bench/profile-diff.ts', keylineFile, peerFile], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: node bench/profile-diff.ts');
  });
});
