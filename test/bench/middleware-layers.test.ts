import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('bench/middleware-layers.ts measures every layer and prints one figure per variant', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bench/middleware-layers.ts', '--turns', '1', '--seconds', '0.5'], { cwd: ROOT, timeout: 60_000 });
  const rows = stdout.trim().split('\n').slice(1);
  expect(rows.map((row) => row.slice(0, 42).trim())).toEqual([
    'bare Koa', '+ pinHostToIssuer', '+ requestContext (id, state, log line)', '+ metrics', '+ security headers',
    'all four, log level warn (no log line)',
  ]);
  for (const row of rows) expect(Number(row.slice(42).trim().split(/\s+/)[0])).toBeGreaterThan(0);
}, 90_000);
