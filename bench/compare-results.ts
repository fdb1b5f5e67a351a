/**
 * The change between two results files of `bench/run.ts`, per scenario and side: what
 * `npm run bench -- --compare FILE` prints after its own table, so a regression shows in review.
 *
 *   node bench/compare-results.ts BEFORE.json AFTER.json     (two earlier runs)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface SideFigures {
  perSecond: number;
  p99Ms: number;
  errors: number;
  serverCpuUsPerOp: number | null;
}

export interface ResultsFile {
  command?: string;
  finishedAt?: string;
  scenarios: Array<{ name: string; keyline: SideFigures; peer: SideFigures | null; cpuRatio?: number | null }>;
}

export function readResults(path: string): ResultsFile {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsFile>;
  if (!Array.isArray(parsed.scenarios)) throw new Error(`${path} is not a bench results file (no "scenarios")`);
  return parsed as ResultsFile;
}

const format = (value: number | null | undefined, digits: number) => (value == null || !Number.isFinite(value)
  ? 'n/a'
  : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** "before → after (+x%)". */
function change(before: number | null | undefined, after: number | null | undefined, digits: number): string {
  const text = `${format(before, digits)} → ${format(after, digits)}`;
  if (before == null || after == null || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return text;
  const percent = ((after - before) / before) * 100;
  return `${text} (${percent >= 0 ? '+' : ''}${percent.toFixed(0)}%)`;
}

/** A table of the change per scenario and side; scenarios in only one file are listed as such. */
export function compareResults(before: ResultsFile, after: ResultsFile, beforeLabel: string): string {
  const header = ['scenario', 'side', 'ops/s', 'p99 ms', 'server CPU µs/op', 'errors', 'peer CPU ÷ Keyline CPU'];
  const rows: string[][] = [];
  const earlier = new Map(before.scenarios.map((scenario) => [scenario.name, scenario]));
  for (const now of after.scenarios) {
    const then = earlier.get(now.name);
    if (!then) {
      rows.push([now.name, '', 'not in the earlier file', '', '', '', '']);
      continue;
    }
    for (const side of ['keyline', 'peer'] as const) {
      const a = then[side];
      const b = now[side];
      if (!a && !b) continue;
      rows.push([
        side === 'keyline' ? now.name : '',
        side,
        change(a?.perSecond, b?.perSecond, 0),
        change(a?.p99Ms, b?.p99Ms, 1),
        change(a?.serverCpuUsPerOp, b?.serverCpuUsPerOp, 0),
        `${a?.errors ?? 'n/a'} → ${b?.errors ?? 'n/a'}`,
        side === 'keyline' ? `${format(then.cpuRatio, 2)} → ${format(now.cpuRatio, 2)}` : '',
      ]);
    }
  }
  const missing = before.scenarios.filter((scenario) => !after.scenarios.some((now) => now.name === scenario.name)).map((scenario) => scenario.name);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ').trimEnd();
  return [
    `change against ${beforeLabel}${before.finishedAt ? ` (${before.finishedAt})` : ''}${before.command ? `: ${before.command}` : ''}`,
    line(header),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
    ...(missing.length ? [`not run now: ${missing.join(', ')}`] : []),
    'server CPU µs/op is the steadiest figure on a shared machine; ops/s and p99 move with its load.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [beforePath, afterPath] = process.argv.slice(2);
  if (!beforePath || !afterPath) {
    process.stderr.write('usage: node bench/compare-results.ts BEFORE.json AFTER.json\n');
    process.exit(2);
  }
  process.stdout.write(`${compareResults(readResults(beforePath), readResults(afterPath), beforePath)}\n`);
}
