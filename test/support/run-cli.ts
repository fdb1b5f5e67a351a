import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TEST_SECRETS_KEY, type RunningKeyline } from './start-keyline.ts';

const CLI = fileURLToPath(new URL('../../bin/keyline.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `keyline ...` as a user would, as a separate process, against a running Keyline's store (or any store). */
export function runCli(
  target: RunningKeyline | { store: string }, args: string[], stdin = '', env: Record<string, string> = {},
): Promise<CliResult> {
  const store = 'config' in target ? target.config.store : target.store;
  const issuer = 'url' in target ? { KEYLINE_ISSUER: target.url } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, KEYLINE_STORE: store, KEYLINE_CONFIG: '/dev/null', KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY, ...issuer, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Not the project directory: the CLI must find the project's store and views from anywhere.
      cwd: tmpdir(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
