import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_SECRETS_KEY } from './start-keyline.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface Started {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node src/main.ts` with the given environment until it exits or prints that it listens. */
export function runMain(env: Record<string, string>, onListening?: (url: string, child: ChildProcess, output: () => string) => Promise<void>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY, KEYLINE_HOST: '127.0.0.1', PORT: '0', KEYLINE_LOG_LEVEL: 'info', ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const listening = /"port":(\d+).*"msg":"Keyline is listening"/.exec(stdout);
      if (listening && onListening) {
        const callback = onListening;
        onListening = undefined;
        callback(`http://127.0.0.1:${listening[1]}`, child, () => stdout).finally(() => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
