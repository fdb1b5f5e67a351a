import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config/schema.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface RunningWorkers {
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `--workers N`: the real `src/main.ts` (supervisor and N workers) on the seeded store, configured
 * like the in-process server; its log lines go to `logPath`. Resolves once it says it listens.
 */
export async function serveWithWorkers(config: Config, workers: number, dataDirectory: string, logPath: string): Promise<RunningWorkers> {
  const configPath = join(dataDirectory, 'keyline-workers.json');
  writeFileSync(configPath, JSON.stringify({ ...config, workers }));
  const child = spawn(process.execPath, [MAIN], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH, KEYLINE_CONFIG: configPath, NODE_ENV: 'production' } });
  const log = createWriteStream(logPath, { flags: 'a' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`keyline with ${workers} workers exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      if (line.includes('"msg":"Keyline is listening"')) resolve();
    });
  });
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
