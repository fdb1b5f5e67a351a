/**
 * `npm run bench`: Keyline (embedded SQLite store) against the bare oidc-provider library, each in
 * its own process, driven in turns (Keyline, peer, Keyline, peer) from this process.
 *
 *   node bench/run.ts [--quick] [--scenario NAME[,NAME…]] [--rounds N] [--round-seconds S]
 *                     [--cpu-prof DIR] [--perf-map] [--log-level LEVEL] [--workers N] [--out FILE] [--compare EARLIER.json]
 *
 * Rounds alternate which side goes first (K P, P K, K P, ...), so a machine that drifts (other
 * load, thermal, GC state) moves both sides' averages alike.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argumentValue, type UpstreamServerInfo } from './bench-fixtures.ts';
import { compareResults, readResults, type ResultsFile } from './compare-results.ts';
import { HttpClient } from './http-client.ts';
import { autocannonRound, medianTurnCpuRatio, processCpuMs, summarize, type RoundResult, type Summary } from './load.ts';
import { SCENARIOS, type Comparison, type Scenario, type Side, type Workload } from './scenarios.ts';
import { killAllServers, startServer, type ServerProcess } from './servers.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: node bench/run.ts [--quick] [--scenario NAME[,NAME...]] [--rounds N] [--round-seconds S] [--cpu-prof DIR] [--perf-map] [--log-level LEVEL] [--workers N] [--out FILE] [--compare EARLIER.json]
scenarios: ${SCENARIOS.map((scenario) => scenario().name).join(', ')}`;

interface Settings {
  quick: boolean;
  rounds: number;
  roundMs: number;
  warmupMs: number;
  users: number;
}

interface SideResult extends Summary {
  notes?: string;
}

interface ScenarioResult {
  name: string;
  description: string;
  unit: string;
  connections: number;
  keyline: SideResult;
  peer: SideResult | null;
  /** Keyline's throughput over the peer's; null when the peer did not run the scenario. */
  ratio: number | null;
  /** Peer's server CPU per operation over Keyline's: the same comparison, measured in CPU instead of time. */
  cpuRatio: number | null;
  /** Keyline's CPU per operation over the peer's, median of the turns' ratios; and Keyline's p99 over the peer's (issue 14's targets). */
  comparison: Comparison;
  targets: Array<{ description: string; met: boolean | null; measured: number | null }>;
}

function parseArguments(args: string[]) {
  const withValue = ['--scenario', '--rounds', '--round-seconds', '--cpu-prof', '--log-level', '--workers', '--out', '--compare'];
  const known = new Set(['--quick', '--help', '--perf-map', ...withValue]);
  for (const [index, arg] of args.entries()) {
    const previous = args[index - 1];
    const isValue = previous !== undefined && withValue.includes(previous);
    if (!isValue && !known.has(arg)) throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = args.includes('--quick');
  const wanted = argumentValue(args, '--scenario')?.split(',').map((name) => name.trim()).filter(Boolean);
  const all = SCENARIOS.map((make) => make());
  const unknown = wanted?.filter((name) => !all.some((scenario) => scenario.name === name)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  const scenarios = wanted ? all.filter((scenario) => wanted.includes(scenario.name)) : all;
  const settings: Settings = quick
    ? { quick, rounds: 1, roundMs: 1_000, warmupMs: 300, users: 400 }
    : { quick, rounds: 5, roundMs: 2_000, warmupMs: 1_000, users: 3_000 };
  const rounds = argumentValue(args, '--rounds');
  const roundSeconds = argumentValue(args, '--round-seconds');
  if (rounds !== undefined) settings.rounds = positive('--rounds', rounds);
  if (roundSeconds !== undefined) settings.roundMs = positive('--round-seconds', roundSeconds) * 1000;
  // Enough fresh users for the login scenario at a generous 150 logins/s, with warm-up.
  settings.users = Math.max(settings.users, Math.ceil(((settings.rounds * settings.roundMs + settings.warmupMs) / 1000) * 150));
  return {
    settings,
    scenarios,
    cpuProfileDirectory: argumentValue(args, '--cpu-prof'),
    perfMap: args.includes('--perf-map'),
    logLevel: argumentValue(args, '--log-level') ?? 'info',
    workers: positive('--workers', argumentValue(args, '--workers') ?? '1'),
    out: resolve(argumentValue(args, '--out') ?? join(ROOT, 'bench/results/latest.json')),
    compare: argumentValue(args, '--compare'),
  };
}

function positive(name: string, value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new Error(`${name} must be a positive number\n${USAGE}`);
  return parsed;
}

function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

const number = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');

function printTable(results: ScenarioResult[]): void {
  const header = ['scenario', 'side', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'ops', 'server CPU µs/op', 'Keyline/peer', 'targets (Keyline)'];
  const rows: string[][] = [];
  for (const result of results) {
    const targets = result.targets.map((target) => `${target.description}${target.measured === null ? '' : ` (${target.measured.toFixed(2)})`} ${target.met === null ? 'n/a' : target.met ? 'MET' : 'MISSED'}`).join('; ');
    const sides: Array<[string, SideResult | null]> = [['keyline', result.keyline], ['peer', result.peer]];
    for (const [side, summary] of sides) {
      rows.push([
        side === 'keyline' ? result.name : '',
        side,
        summary ? `${number(summary.perSecond, summary.perSecond < 100 ? 1 : 0)} ${result.unit}/s` : 'n/a',
        summary ? number(summary.p50Ms, 1) : 'n/a',
        summary ? number(summary.p99Ms, 1) : 'n/a',
        summary ? String(summary.errors) : 'n/a',
        summary ? String(summary.operations) : 'n/a',
        summary?.serverCpuUsPerOp != null ? `${number(summary.serverCpuUsPerOp)} (${number(summary.serverCores ?? 0, 2)} cores)` : 'n/a',
        side === 'keyline' ? (result.ratio === null ? 'n/a' : `${result.ratio.toFixed(2)}×`) : (result.cpuRatio === null ? '' : `CPU ${result.cpuRatio.toFixed(2)}×`),
        side === 'keyline' ? targets : '',
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ').trimEnd();
  process.stdout.write(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
  for (const result of results) {
    for (const [side, summary] of [['keyline', result.keyline], ['peer', result.peer]] as const) {
      if (summary?.errorSamples.length) process.stdout.write(`  ${result.name} ${side} errors: ${summary.errorSamples.join(' | ')}\n`);
      if (summary?.notes) process.stdout.write(`  ${result.name} ${side}: ${summary.notes}\n`);
    }
  }
}

function failedSide(error: unknown): SideResult {
  return {
    operations: 0, perSecond: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, errors: 1, seconds: 0, serverCpuUsPerOp: null, serverCores: null,
    errorSamples: [(error as Error).message.slice(0, 500)], notes: 'setup failed; not measured',
  };
}

/** Prepares both sides, warms each up, then measures in turns: Keyline, peer, peer, Keyline, ... */
async function runScenario(scenario: Scenario, sides: Side[], settings: Settings): Promise<ScenarioResult> {
  const workloads = new Map<Side, Workload>();
  const failures = new Map<Side, unknown>();
  for (const side of sides) {
    try {
      workloads.set(side, await scenario.prepare(side));
    } catch (error) {
      failures.set(side, error);
    }
  }
  for (const [side, workload] of workloads) await workload.round(settings.warmupMs);
  const rounds = new Map<Side, RoundResult[]>(sides.map((side) => [side, []]));
  const order = [...workloads];
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [side, workload] of round % 2 === 0 ? order : [...order].reverse()) {
      const cpuBefore = processCpuMs(side.info.pid);
      const result = await workload.round(settings.roundMs);
      const cpuAfter = processCpuMs(side.info.pid);
      result.serverCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
      rounds.get(side)!.push(result);
    }
  }
  const [keylineSide, peerSide] = sides as [Side, Side];
  const resultFor = (side: Side): SideResult | null => {
    if (failures.has(side)) return side.label === 'peer' ? null : failedSide(failures.get(side));
    const notes = workloads.get(side)?.notes;
    return { ...summarize(rounds.get(side)!), ...(notes ? { notes } : {}) };
  };
  const keyline = resultFor(keylineSide)!;
  const peer = resultFor(peerSide);
  if (failures.has(peerSide)) {
    process.stdout.write(`  ${scenario.name}: the peer cannot run it (${(failures.get(peerSide) as Error).message.slice(0, 300)})\n`);
  }
  const ratio = peer && peer.perSecond > 0 && !failures.has(keylineSide) ? Math.round((keyline.perSecond / peer.perSecond) * 100) / 100 : null;
  const cpuRatio = peer?.serverCpuUsPerOp && keyline.serverCpuUsPerOp && ratio !== null
    ? Math.round((peer.serverCpuUsPerOp / keyline.serverCpuUsPerOp) * 100) / 100
    : null;
  const comparison: Comparison = ratio === null
    ? { cpu: null, p99: null }
    : { cpu: medianTurnCpuRatio(rounds.get(keylineSide)!, rounds.get(peerSide)!), p99: peer && peer.p99Ms > 0 ? Math.round((keyline.p99Ms / peer.p99Ms) * 100) / 100 : null };
  return {
    name: scenario.name,
    description: scenario.description,
    unit: scenario.unit,
    connections: scenario.connections,
    keyline,
    peer,
    ratio,
    cpuRatio,
    comparison,
    targets: scenario.targets.map((target) => ({
      description: target.description,
      met: failures.has(keylineSide) ? false : target.met(keyline, peer ?? undefined, comparison),
      measured: target.measured?.(comparison) ?? null,
    })),
  };
}

/** The machine's ceiling for this load generator: the same autocannon settings against node:http hello-world. */
async function measureCeiling(settings: Settings): Promise<Summary> {
  const hello = await startServer<{ url: string }>({ script: 'hello-server.ts', args: [] });
  try {
    const request = { url: `${hello.info.url}/` };
    await autocannonRound(request, 50, settings.warmupMs);
    return summarize([await autocannonRound(request, 50, settings.quick ? 1_000 : 3_000)]);
  } finally {
    await hello.stop();
  }
}

async function main(): Promise<number> {
  const { settings, scenarios, cpuProfileDirectory, perfMap, logLevel, workers, out, compare } = parseArguments(process.argv.slice(2));
  // Read before the run: a bad file is said at once, and --out may be the same file.
  const earlier: ResultsFile | undefined = compare === undefined ? undefined : readResults(compare);
  const command = ['node', relative(process.cwd(), fileURLToPath(import.meta.url)) || 'bench/run.ts', ...process.argv.slice(2)].join(' ');
  const host = machine();
  process.stdout.write(`Keyline bench: ${command}\n`);
  process.stdout.write(`machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, ${host.platform}; node ${host.node} (${process.execPath}); load average ${host.loadAverageAtStart.join(' ')}\n`);
  process.stdout.write(`each side: ${settings.rounds} round(s) × ${settings.roundMs / 1000} s after ${settings.warmupMs / 1000} s warm-up, in turns (K P, P K, ...); Keyline log level ${logLevel}\n`);

  const dataDirectory = mkdtempSync(join(tmpdir(), 'keyline-bench-'));
  const servers: ServerProcess[] = [];
  let upstream: ServerProcess<UpstreamServerInfo> | undefined;
  const httpClients: HttpClient[] = [];
  let interrupted = false;
  const cleanUp = () => {
    for (const client of httpClients) client.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    interrupted = true;
    process.stderr.write('\ninterrupted: stopping the bench servers\n');
    killAllServers();
    setTimeout(() => {
      cleanUp();
      process.exit(130);
    }, 1_000).unref();
  });

  try {
    if (cpuProfileDirectory) mkdirSync(cpuProfileDirectory, { recursive: true });
    const profile = { ...(cpuProfileDirectory ? { cpuProfileDirectory: resolve(cpuProfileDirectory) } : {}), perfMap };
    // Keyline registers itself at the upstream while it seeds, so the upstream runs first.
    upstream = await startServer<UpstreamServerInfo>({ script: 'upstream-server.ts', args: [] });
    servers.push(...await Promise.all([
      startServer({
        script: 'keyline-server.ts',
        args: ['--data-dir', dataDirectory, '--users', String(settings.users), '--log-level', logLevel, '--workers', String(workers), '--upstream-issuer', upstream.info.url],
        ...profile,
      }),
      startServer({ script: 'peer-server.ts', args: ['--users', String(settings.users)], ...profile }),
    ]));
    const sides: Side[] = servers.map((server) => {
      const http = new HttpClient(64);
      httpClients.push(http);
      return { label: server.info.kind, info: server.info, http };
    });
    process.stdout.write(`Keyline ${sides[0]!.info.url} (pid ${sides[0]!.info.pid}, SQLite in ${dataDirectory}); peer ${sides[1]!.info.url} (pid ${sides[1]!.info.pid}, oidc-provider in-memory adapter); upstream OP ${upstream.info.url} (pid ${upstream.info.pid}, counted for neither side)\n`);

    const ceiling = await measureCeiling(settings);
    process.stdout.write(`calibration: a bare node:http server answering fixed JSON does ${number(ceiling.perSecond)} req/s (p99 ${number(ceiling.p99Ms, 1)} ms) at 50 connections on this machine now\n`);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      if (interrupted) break;
      const started = performance.now();
      process.stdout.write(`running ${scenario.name}: ${scenario.description}, ${scenario.connections} connections ... `);
      const result = await runScenario(scenario, sides, settings);
      results.push(result);
      process.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
    if (interrupted) {
      process.stdout.write('interrupted: no results written\n');
      return 130;
    }
    printTable(results);

    const errors = results.reduce((sum, result) => sum + result.keyline.errors + (result.peer?.errors ?? 0), 0);
    const written = { command, machine: { ...host, helloWorldCeiling: ceiling }, settings, finishedAt: new Date().toISOString(), scenarios: results };
    if (earlier) process.stdout.write(`\n${compareResults(earlier, written, relative(process.cwd(), resolve(compare!)))}\n`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(written, null, 2)}\n`);
    process.stdout.write(`\nresults: ${relative(process.cwd(), out)}${cpuProfileDirectory ? `; CPU profiles in ${resolve(cpuProfileDirectory)} (summarize with node bench/profile-summary.ts FILE)` : ''}\n`);
    if (errors > 0) process.stdout.write(`${errors} error(s): every scenario must run without errors\n`);
    return errors > 0 ? 1 : 0;
  } finally {
    await Promise.all([...servers, ...(upstream ? [upstream] : [])].map((server) => server.stop()));
    cleanUp();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
