/** Reading V8 .cpuprofile files (from `node bench/run.ts --cpu-prof DIR`): shared by profile-summary.ts and profile-diff.ts. */
import { readFileSync } from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfileFile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One sample: the leaf node it hit and the microseconds it stands for. */
export interface Sample {
  node: ProfileNode;
  micros: number;
}

export class CpuProfile {
  readonly byId: ReadonlyMap<number, ProfileNode>;
  readonly parentOf: ReadonlyMap<number, number>;
  readonly #file: CpuProfileFile;

  constructor(path: string) {
    this.#file = JSON.parse(readFileSync(path, 'utf8')) as CpuProfileFile;
    this.byId = new Map(this.#file.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of this.#file.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    this.parentOf = parentOf;
  }

  /** The samples after the first `skipSeconds` of the profile (the server's start-up and the bench's setup). */
  *samples(skipSeconds = 0): Generator<Sample> {
    const skipMicros = skipSeconds * 1e6;
    let elapsed = 0;
    for (const [index, sampleId] of this.#file.samples.entries()) {
      const micros = this.#file.timeDeltas[index] ?? 0;
      elapsed += micros;
      const node = this.byId.get(sampleId);
      if (elapsed <= skipMicros || !node) continue;
      yield { node, micros };
    }
  }
}

export const isIdle = (node: ProfileNode) => node.callFrame.functionName === '(idle)';

export function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const source = url.search(/\/(src|bench|test)\//);
  if (source >= 0) return url.slice(source + 1);
  return url.replace(/^file:\/\//, '');
}

/** Keyline src/<folder>, a package, node internals, GC, ... */
export function areaOf(url: string, name: string): string {
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

export function labelOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
}
