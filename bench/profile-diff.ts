/**
 * Where Keyline's extra time goes, function by function: self time in a Keyline CPU profile
 * against the bare library's from the same `node bench/run.ts --cpu-prof DIR` run, per operation,
 * sorted by how much more Keyline spends.
 *
 *   node bench/profile-diff.ts KEYLINE.cpuprofile PEER.cpuprofile --ops K,P [--skip K,P] [--top N]
 *
 * `--ops K,P`: operations each server answered in the profiled part (the bench's measured ops plus
 * its warm-up, about one second's worth); `--skip K,P`: seconds of start-up to leave out of each
 * (profile-summary.ts shows where the load starts).
 */
import { argumentValue } from './bench-fixtures.ts';
import { areaOf, CpuProfile, isIdle, labelOf } from './cpu-profile.ts';

const [keylineFile, peerFile] = process.argv.slice(2);
const pair = (name: string, fallback: string) => (argumentValue(process.argv, name) ?? fallback).split(',').map(Number) as [number, number];
const [keylineOps, peerOps] = pair('--ops', '');
if (!keylineFile || !peerFile || !(keylineOps! > 0) || !(peerOps! > 0)) {
  process.stderr.write('usage: node bench/profile-diff.ts KEYLINE.cpuprofile PEER.cpuprofile --ops K,P [--skip K,P] [--top N]\n');
  process.exit(2);
}
const [keylineSkip, peerSkip] = pair('--skip', '0,0');
const top = Number(argumentValue(process.argv, '--top') ?? 40);

interface PerOp {
  functions: Map<string, number>;
  areas: Map<string, number>;
  busy: number;
}

function perOperation(file: string, operations: number, skipSeconds: number): PerOp {
  const result: PerOp = { functions: new Map(), areas: new Map(), busy: 0 };
  for (const { node, micros } of new CpuProfile(file).samples(skipSeconds)) {
    if (isIdle(node)) continue;
    const share = micros / operations;
    result.busy += share;
    const label = labelOf(node);
    result.functions.set(label, (result.functions.get(label) ?? 0) + share);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    result.areas.set(area, (result.areas.get(area) ?? 0) + share);
  }
  return result;
}

const keyline = perOperation(keylineFile, keylineOps!, keylineSkip ?? 0);
const peer = perOperation(peerFile, peerOps!, peerSkip ?? 0);
const µs = (value: number) => value.toFixed(1).padStart(8);

function printDifference(title: string, ours: Map<string, number>, theirs: Map<string, number>, limit: number): void {
  const rows = [...new Set([...ours.keys(), ...theirs.keys()])]
    .map((key) => ({ key, ours: ours.get(key) ?? 0, theirs: theirs.get(key) ?? 0 }))
    .sort((a, b) => (b.ours - b.theirs) - (a.ours - a.theirs));
  process.stdout.write(`\n${title}\n${'extra'.padStart(8)}${'keyline'.padStart(8)}${'peer'.padStart(8)}  (main-thread µs per operation)\n`);
  for (const row of rows.slice(0, limit)) process.stdout.write(`${µs(row.ours - row.theirs)}${µs(row.ours)}${µs(row.theirs)}  ${row.key}\n`);
  const cheaper = rows.filter((row) => row.ours < row.theirs).slice(-5).reverse();
  if (cheaper.length > 0) {
    process.stdout.write('  ... where Keyline spends less:\n');
    for (const row of cheaper) process.stdout.write(`${µs(row.ours - row.theirs)}${µs(row.ours)}${µs(row.theirs)}  ${row.key}\n`);
  }
}

process.stdout.write(`busy main thread per operation: Keyline ${keyline.busy.toFixed(1)} µs, peer ${peer.busy.toFixed(1)} µs, extra ${(keyline.busy - peer.busy).toFixed(1)} µs\n`);
printDifference('by area', keyline.areas, peer.areas, 20);
printDifference('by function (self time)', keyline.functions, peer.functions, top);
