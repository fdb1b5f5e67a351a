import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Written to a temp file, so npm test never overwrites the results of a real run in bench/results/.
const RESULTS = join(mkdtempSync(join(tmpdir(), 'keyline-bench-smoke-')), 'results.json');
const SCENARIOS = ['cc-rs256', 'cc-es256', 'cc-rbac', 'refresh', 'discovery', 'jwks', 'jwks-304', 'introspection', 'login', 'login-upstream', 'userinfo'];
const TIMEOUT_MS = 180_000;

interface SideResult {
  operations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

interface ResultsFile {
  command: string;
  machine: { cpus: number; node: string };
  scenarios: Array<{ name: string; keyline: SideResult; peer: SideResult | null; ratio: number | null }>;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
}

function runBench(args: string[]): Promise<Run> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, startedAt });
    });
  });
}

/** The table rows: "name | keyline | ops/s | p50 | p99 | errors | ..." followed by "| peer | ...". */
function tableRows(stdout: string): Map<string, { keyline: string[]; peer: string[] }> {
  const rows = new Map<string, { keyline: string[]; peer: string[] }>();
  const lines = stdout.split('\n');
  for (const [index, line] of lines.entries()) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells[1] !== 'keyline' || !cells[0]) continue;
    const peer = (lines[index + 1] ?? '').split('|').map((cell) => cell.trim());
    rows.set(cells[0], { keyline: cells, peer });
  }
  return rows;
}

describe('the benchmark (node bench/run.ts --quick)', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runBench(['--quick', '--out', RESULTS]);
  }, TIMEOUT_MS);

  test('exits 0', () => {
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
  });

  test('prints the machine and the exact command', () => {
    expect(run.stdout).toContain(`Keyline bench: node bench/run.ts --quick --out ${RESULTS}`);
    expect(run.stdout).toMatch(/machine: \d+ × .+node v\d+/);
  });

  test('reports every scenario for Keyline and the peer, with zero errors', () => {
    const rows = tableRows(run.stdout);
    expect([...rows.keys()].sort()).toEqual([...SCENARIOS].sort());
    for (const [name, { keyline, peer }] of rows) {
      expect({ name, side: keyline[1], errors: keyline[5] }).toEqual({ name, side: 'keyline', errors: '0' });
      expect({ name, side: peer[1], errors: peer[5] }).toEqual({ name, side: 'peer', errors: peer[5] === 'n/a' ? 'n/a' : '0' });
    }
  });

  test('writes its results as JSON with the same scenarios, measured, and zero errors', () => {
    expect(statSync(RESULTS).mtimeMs).toBeGreaterThanOrEqual(run.startedAt);
    const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as ResultsFile;
    expect(results.command).toBe(`node bench/run.ts --quick --out ${RESULTS}`);
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.scenarios.map((scenario) => scenario.name)).toEqual(SCENARIOS);
    for (const scenario of results.scenarios) {
      const sides = [scenario.keyline, ...(scenario.peer ? [scenario.peer] : [])];
      for (const side of sides) {
        expect({ name: scenario.name, errors: side.errors }).toEqual({ name: scenario.name, errors: 0 });
        expect(side.operations).toBeGreaterThan(0);
        expect(side.perSecond).toBeGreaterThan(0);
        expect(side.p99Ms).toBeGreaterThanOrEqual(side.p50Ms);
      }
      if (scenario.peer) expect(scenario.ratio).toBeCloseTo(scenario.keyline.perSecond / scenario.peer.perSecond, 1);
    }
  });

  test('compares a results file with an earlier one, scenario by scenario', async () => {
    const compared = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['bench/compare-results.ts', RESULTS, RESULTS], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(compared.code).toBe(0);
    expect(compared.stdout).toContain(`change against ${RESULTS}`);
    for (const name of SCENARIOS) expect(compared.stdout).toMatch(new RegExp(`^${name} +\\| keyline \\| .* → .* \\(\\+?-?0%\\)`, 'm'));
  });
});
