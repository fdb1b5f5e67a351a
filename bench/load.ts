import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** What one side did in one round of one scenario. */
export interface RoundResult {
  /** Successful operations: 2xx responses for autocannon rounds, whole iterations (e.g. logins) for loops. */
  completed: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: number[];
  /** The first few error descriptions, for the report. */
  errorSamples: string[];
  /** CPU time (user + system, all threads) the server process spent during the round; null where unknown. */
  serverCpuMs?: number | null;
}

export interface Summary {
  operations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  seconds: number;
  /** Server CPU time per operation (µs): less sensitive than ops/s to other load on the machine. */
  serverCpuUsPerOp: number | null;
  /** Average number of cores the server process kept busy. */
  serverCores: number | null;
  errorSamples: string[];
}

export interface FixedRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A check of each 2xx body; a body that fails it counts as an error (autocannon's "mismatch"). */
  verify?: (body: string) => boolean;
  /** Statuses outside 2xx that are a success too (304 for conditional requests). */
  alsoSuccessful?: readonly number[];
}

const MAX_ERROR_SAMPLES = 5;

/**
 * One autocannon run against a fixed request. Any non-2xx response (unless `alsoSuccessful`), connection error or timeout is
 * an error. Latencies come from autocannon's own per-response timings.
 */
export async function autocannonRound(request: FixedRequest, connections: number, durationMs: number): Promise<RoundResult> {
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let completed = 0;
  let non2xx = 0;
  const started = performance.now();
  const result = await autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    connections,
    pipelining: 1,
    duration: durationMs / 1000,
    timeout: 30,
    ...(request.verify ? { verifyBody: request.verify } : {}),
    setupClient(client) {
      client.on('response', (statusCode: number, _bytes: number, durationMsOfResponse: number) => {
        if ((statusCode >= 200 && statusCode <= 299) || request.alsoSuccessful?.includes(statusCode)) {
          completed += 1;
          latenciesMs.push(durationMsOfResponse);
        } else {
          non2xx += 1;
          if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(`HTTP ${statusCode}`);
        }
      });
    },
  });
  const elapsedMs = performance.now() - started;
  const transportErrors = result.errors + result.mismatches;
  if (result.errors > 0) errorSamples.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  if (result.mismatches > 0) errorSamples.push(`${result.mismatches} response bodies failed the check`);
  return { completed, errors: non2xx + transportErrors, elapsedMs, latenciesMs, errorSamples };
}

/** Thrown by an iteration whose worker cannot go on (e.g. its refresh-token chain is broken). */
export class WorkerStopped extends Error {}

/**
 * `workers` concurrent loops, each running `iterate` back to back until the deadline. A loop finishes
 * its current iteration before stopping, so per-worker state (a rotated refresh token) stays consistent
 * between rounds. Every iteration that throws is an error.
 */
export async function loopRound(
  workers: number,
  durationMs: number,
  iterate: (worker: number) => Promise<void>,
): Promise<RoundResult> {
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: workers }, async (_, worker) => {
    while (performance.now() < deadline) {
      const iterationStarted = performance.now();
      try {
        await iterate(worker);
        completed += 1;
        latenciesMs.push(performance.now() - iterationStarted);
      } catch (error) {
        errors += 1;
        if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push((error as Error).message.slice(0, 300));
        if (error instanceof WorkerStopped) return;
      }
    }
  }));
  return { completed, errors, elapsedMs: performance.now() - started, latenciesMs, errorSamples };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Merges the rounds of one side: throughput over the summed measured time, percentiles over all samples. */
export function summarize(rounds: RoundResult[]): Summary {
  const seconds = rounds.reduce((sum, round) => sum + round.elapsedMs, 0) / 1000;
  const operations = rounds.reduce((sum, round) => sum + round.completed, 0);
  const cpuKnown = rounds.length > 0 && rounds.every((round) => typeof round.serverCpuMs === 'number');
  const cpuMs = rounds.reduce((sum, round) => sum + (round.serverCpuMs ?? 0), 0);
  const sorted = Float64Array.from(rounds.flatMap((round) => round.latenciesMs)).sort();
  return {
    operations,
    perSecond: seconds > 0 ? round2(operations / seconds) : 0,
    p50Ms: round2(percentile(sorted, 0.5)),
    p99Ms: round2(percentile(sorted, 0.99)),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    seconds: round2(seconds),
    serverCpuUsPerOp: cpuKnown && operations > 0 ? Math.round((cpuMs * 1000) / operations) : null,
    serverCores: cpuKnown && seconds > 0 ? round2(cpuMs / 1000 / seconds) : null,
    errorSamples: rounds.flatMap((round) => round.errorSamples).slice(0, MAX_ERROR_SAMPLES),
  };
}

/**
 * Keyline's CPU per operation over the peer's in each turn (the two sides measured back to back),
 * then the median: one turn disturbed by the machine moves it less than it moves the pooled figures.
 */
export function medianTurnCpuRatio(keyline: RoundResult[], peer: RoundResult[]): number | null {
  const perOp = (round: RoundResult | undefined) => (round && typeof round.serverCpuMs === 'number' && round.completed > 0 ? round.serverCpuMs / round.completed : null);
  const ratios: number[] = [];
  for (const [index, round] of keyline.entries()) {
    const ours = perOp(round);
    const theirs = perOp(peer[index]);
    if (ours !== null && theirs !== null && theirs > 0) ratios.push(ours / theirs);
  }
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  const median = ratios.length % 2 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
  return Math.round(median * 100) / 100;
}

function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after "(comm)", from the state field (3) on.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The pid and every live process below it (a supervisor's workers), from the parent pids in /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(statFields(entry)[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index += 1) tree.push(...(children.get(tree[index]!) ?? []));
  return tree;
}

/**
 * CPU time a process and its live descendants have used so far (user + system, all threads), from
 * /proc on Linux; null elsewhere. The descendants are Keyline's workers under `--workers N`.
 */
export function processCpuMs(pid: number): number | null {
  try {
    let ticks = 0;
    for (const member of processTree(pid)) {
      try {
        const fields = statFields(member);
        // Fields 14 and 15 of /proc/PID/stat (utime, stime).
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        if (member === pid) throw new Error('gone');
      }
    }
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;
