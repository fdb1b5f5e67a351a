import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

/** Runs the command; exits with it; stops it when stdin reaches end of file (our process closed it, or died). */
const GUARD_SCRIPT = `
exec 3<&0
"$@" </dev/null &
server=$!
{ cat <&3 >/dev/null; kill "$server" 2>/dev/null; } &
wait "$server"
`;

/** Where the child's stdout and stderr go: a pipe to read, or an open file descriptor. */
type Output = 'pipe' | number;

/**
 * Spawns a server process that cannot outlive the test process: a small guard shell stops it
 * with SIGTERM as soon as our end of its stdin closes, whether we close it or we die.
 */
export function spawnGuarded(
  name: string,
  command: string,
  args: string[],
  options: { stdout: Output; stderr: Output; env?: NodeJS.ProcessEnv },
): ChildProcess {
  const stdio: StdioOptions = ['pipe', options.stdout, options.stderr];
  return spawn('bash', ['-c', GUARD_SCRIPT, name, command, ...args], { stdio, env: options.env ?? process.env });
}

/** Asks a guarded child to stop (its guard sends SIGTERM), waiting at most `timeoutMs` before killing it. */
export async function stopGuarded(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
