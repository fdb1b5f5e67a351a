/**
 * Reads a V8 .cpuprofile (from `node bench/run.ts --cpu-prof DIR`) and prints where the time went:
 * top functions by self time, self time by area (Keyline src/, each package, node internals, GC),
 * and top Keyline/oidc-provider functions by inclusive time.
 *
 *   node bench/profile-summary.ts FILE.cpuprofile [--top N] [--callers NAME]
 */
import { readFileSync } from 'node:fs';
import { argumentValue } from './bench-fixtures.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = Number(argumentValue(process.argv, '--top') ?? 25);
/** `--callers NAME`: also show which call paths lead to functions whose label contains NAME. */
const callersOf = argumentValue(process.argv, '--callers');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const source = url.search(/\/(src|bench|test)\//);
  if (source >= 0) return url.slice(source + 1);
  return url.replace(/^file:\/\//, '');
}

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const source = /\/(src\/[^/]+|bench|test)\//.exec(url);
  return source ? `keyline ${source[1]}` : shortUrl(url);
}

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const callers = new Map<string, number>();
const areas = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [index, sampleId] of profile.samples.entries()) {
  const delta = profile.timeDeltas[index] ?? 0;
  const node = byId.get(sampleId);
  if (!node) continue;
  total += delta;
  if (node.callFrame.functionName === '(idle)') {
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
  const nodeArea = area(node.callFrame.url, node.callFrame.functionName);
  areas.set(nodeArea, (areas.get(nodeArea) ?? 0) + delta);
  const seen = new Set<string>();
  for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
    const frame = byId.get(id)!;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    if (/\/(src\/|oidc-provider\/lib\/)/.test(frame.callFrame.url) || /^(pino|sqlite|argon2)/.test(area(frame.callFrame.url, ''))) {
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
