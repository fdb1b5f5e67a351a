import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerInfo } from './bench-fixtures.ts';

export interface ServerProcess<Info = ServerInfo> {
  info: Info;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface ServerOptions {
  script: 'keyline-server.ts' | 'peer-server.ts' | 'upstream-server.ts' | 'hello-server.ts' | 'middleware-layer-server.ts';
  args: string[];
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  cpuProfileDirectory?: string;
  /**
   * Write /tmp/perf-PID.map so that Linux `perf` names JavaScript frames: for `perf record -g -p PID`,
   * which also sees native time (SQLite, crypto, the kernel) that the V8 profile charges to whichever
   * JavaScript function called it.
   */
  perfMap?: boolean;
}

const running = new Set<ChildProcess>();
const STARTUP_TIMEOUT_MS = 120_000;

/** Last resort: a bench server never outlives the load generator. */
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts a bench server in its own process (same node binary) and waits for its JSON announcement. */
export function startServer<Info = ServerInfo>({ script, args, cpuProfileDirectory, perfMap }: ServerOptions): Promise<ServerProcess<Info>> {
  const entry = fileURLToPath(new URL(script, import.meta.url));
  const nodeFlags = [
    ...(cpuProfileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDirectory}`] : []),
    ...(perfMap ? ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack'] : []),
  ];
  const child = spawn(process.execPath, [...nodeFlags, entry, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const stop = async () => {
    if (!(await waitForExit(child, 0))) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
  };

  return new Promise<ServerProcess<Info>>((resolve, reject) => {
    let buffered = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${script}: ${reason}\n${stderr}`));
    };
    const timer = setTimeout(() => fail('did not announce itself in time'), STARTUP_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', function onData(chunk: string) {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => running.delete(child));
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      try {
        resolve({ info: JSON.parse(buffered.slice(0, newline)) as Info, child, stop });
      } catch {
        fail(`printed something other than its JSON line: ${buffered.slice(0, 200)}`);
      }
    });
  });
}

/** Stops every bench server still running (used on SIGINT). */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGTERM');
}
