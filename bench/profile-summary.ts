/**
 * Reads a V8 .cpuprofile (from `node bench/run.ts --cpu-prof DIR`) and prints where the time went:
 * top functions by self time, self time by area (Keyline src/, each package, node internals, GC),
 * and top Keyline/oidc-provider functions by inclusive time.
 *
 *   node bench/profile-summary.ts FILE.cpuprofile [--top N] [--callers NAME] [--skip SECONDS]
 *
 * `--skip SECONDS` leaves out the first seconds of the profile (the server's start-up and the
 * bench's setup), so what is left is the measured load.
 */
import { argumentValue } from './bench-fixtures.ts';
import { areaOf, CpuProfile, isIdle, labelOf as label } from './cpu-profile.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [--top N] [--callers NAME] [--skip SECONDS]\n');
  process.exit(2);
}
const top = Number(argumentValue(process.argv, '--top') ?? 25);
/** `--callers NAME`: also show which call paths lead to functions whose label contains NAME. */
const callersOf = argumentValue(process.argv, '--callers');
const profile = new CpuProfile(file);
const { byId, parentOf } = profile;

const self = new Map<string, number>();
const callers = new Map<string, number>();
const areas = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (const { node, micros: delta } of profile.samples(Number(argumentValue(process.argv, '--skip') ?? 0))) {
  const sampleId = node.id;
  total += delta;
  if (isIdle(node)) {
    idle += delta;
    continue;
  }
  self.set(label(node), (self.get(label(node)) ?? 0) + delta);
  if (callersOf && label(node).includes(callersOf)) {
    const path: string[] = [];
    for (let id = parentOf.get(sampleId); id !== undefined && path.length < 4; id = parentOf.get(id)) path.push(label(byId.get(id)!));
    const key = `${label(node)} ← ${path.join(' ← ')}`;
    callers.set(key, (callers.get(key) ?? 0) + delta);
  }
  const nodeArea = areaOf(node.callFrame.url, node.callFrame.functionName);
  areas.set(nodeArea, (areas.get(nodeArea) ?? 0) + delta);
  const seen = new Set<string>();
  for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
    const frame = byId.get(id)!;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    if (/\/(src\/|oidc-provider\/lib\/)/.test(frame.callFrame.url) || /^(pino|sqlite|argon2)/.test(areaOf(frame.callFrame.url, ''))) {
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  }
}

const busy = total - idle;
const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;
const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;
function print(title: string, entries: Map<string, number>, limit: number): void {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`${ms(micros)} ${share(micros)}  ${key}\n`);
  }
}

process.stdout.write(`${file}\nsampled ${ms(total).trim()}, busy ${ms(busy).trim()} (idle ${ms(idle).trim()}); shares are of busy time\n`);
print('self time by area', areas, top);
print('top functions by self time', self, top);
print('Keyline src/ and oidc-provider functions by inclusive time', inclusive, top);
if (callersOf) print(`call paths into "${callersOf}" (self time)`, callers, top);
