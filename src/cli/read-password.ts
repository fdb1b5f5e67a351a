import { createInterface } from 'node:readline';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-context.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function promptHidden(io: CliIo): Promise<string> {
  io.stderr.write('Password: ');
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  const line = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  io.stderr.write('\n');
  return line;
}

/** The password comes from stdin (piped) or a hidden prompt, never from argv where `ps` would show it. */
export async function readPassword(io: CliIo): Promise<string> {
  const text = io.stdin.isTTY ? await promptHidden(io) : await readAll(io.stdin);
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new CliError('no password given on stdin (pipe it in, e.g. `printf %s "$PASSWORD" | keyline users add you@example.com`)');
  return password;
}
