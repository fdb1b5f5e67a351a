import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeVersionProblem, REQUIRED_NODE } from '../../bin/node-version.js';
import { PROJECT_ROOT } from '../../src/paths.ts';

test('Node 22.18 and newer pass the check', () => {
  for (const version of ['22.18.0', 'v22.18.1', '22.19.0', '24.0.0', '24.21.0', '30.1.2']) {
    expect(nodeVersionProblem(version, 'npx keyline')).toBeUndefined();
  }
});

test('an older Node gets one line naming the version needed, the one found and the command to use', () => {
  for (const version of ['22.17.9', '20.20.2', 'v18.0.0', '12.22.12']) {
    const problem = nodeVersionProblem(version, 'npx keyline');
    expect(problem).toContain(`needs Node.js ${REQUIRED_NODE} or newer, this is ${version.replace(/^v/, '')}`);
    expect(problem).toContain('`npx keyline`');
    expect(problem).not.toContain('\n');
  }
  expect(nodeVersionProblem('20.0.0', 'npm start')).toContain('`npm start`');
});

// The machine's own Node, when it is older than Keyline needs (Debian's Node 20 here), runs the real files.
const systemNode = '/usr/bin/node';
const systemVersion = existsSync(systemNode) ? spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
const systemNodeTooOld = systemVersion !== '' && nodeVersionProblem(systemVersion, 'x') !== undefined;

(systemNodeTooOld ? test.each : test.skip.each)([
  ['bin/keyline.js', ['users', 'list'], 'npx keyline'],
  ['bin/keyline-server.js', [], 'npm start'],
])(`%s on the machine's Node ${systemVersion || '(none)'} prints one line and exits 1, with no stack trace`, (file, args, command) => {
  const result = spawnSync(systemNode, [join(PROJECT_ROOT, file), ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`${nodeVersionProblem(systemVersion, command)}\n`);
});
