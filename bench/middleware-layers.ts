/**
 * What each of Keyline's outer middleware layers costs per request: server CPU µs per request of
 * a bare Koa app, then with pinHostToIssuer, requestContext (request id, state, the request log
 * line), metrics and security headers added one at a time, and all four with the log at `warn`.
 * Every variant runs in its own process; they are measured in turns, in alternating order, and
 * the median of the turns is printed. A benchmark, not a test: it asserts nothing.
 *
 *   node bench/middleware-layers.ts [--turns N] [--seconds S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { autocannonRound, processCpuMs } from './load.ts';
import { startServer } from './servers.ts';

const { values } = parseArgs({ options: { turns: { type: 'string', default: '4' }, seconds: { type: 'string', default: '3' } } });
const turns = Number(values.turns);
const durationMs = Number(values.seconds) * 1000;
const CONNECTIONS = 50;

const variants = [
  { label: 'bare Koa', layers: 0, logLevel: 'info' },
  { label: '+ pinHostToIssuer', layers: 1, logLevel: 'info' },
  { label: '+ requestContext (id, state, log line)', layers: 2, logLevel: 'info' },
  { label: '+ metrics', layers: 3, logLevel: 'info' },
  { label: '+ security headers', layers: 4, logLevel: 'info' },
  { label: 'all four, log level warn (no log line)', layers: 4, logLevel: 'warn' },
];

const directory = mkdtempSync(join(tmpdir(), 'keyline-layers-'));
const servers = await Promise.all(variants.map((variant, index) => startServer<{ url: string; pid: number }>({
  script: 'middleware-layer-server.ts',
  args: [String(variant.layers), variant.logLevel, join(directory, `${index}.log`)],
})));
const perRequest = variants.map((): number[] => []);
try {
  for (let turn = 0; turn < turns; turn += 1) {
    const order = variants.map((_, index) => index);
    if (turn % 2 === 1) order.reverse();
    for (const index of order) {
      const { info } = servers[index]!;
      await autocannonRound({ url: info.url }, CONNECTIONS, 500);
      const before = processCpuMs(info.pid);
      const round = await autocannonRound({ url: info.url }, CONNECTIONS, durationMs);
      const after = processCpuMs(info.pid);
      if (before !== null && after !== null && round.completed > 0) perRequest[index]!.push(((after - before) * 1000) / round.completed);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(directory, { recursive: true, force: true });
}

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
process.stdout.write(`server CPU µs per request, median of ${turns} turns of ${durationMs / 1000} s at ${CONNECTIONS} connections (each turn's figure after the label)\n`);
let previous: number | undefined;
for (const [index, variant] of variants.entries()) {
  const value = median(perRequest[index]!);
  const step = previous === undefined || index === variants.length - 1 ? '' : ` (${value - previous >= 0 ? '+' : ''}${(value - previous).toFixed(1)})`;
  process.stdout.write(`${variant.label.padEnd(42)} ${value.toFixed(1).padStart(6)}${step.padEnd(9)}  ${perRequest[index]!.map((sample) => sample.toFixed(0)).join(' ')}\n`);
  previous = value;
}
