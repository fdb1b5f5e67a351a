import { createInterface } from 'node:readline';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-context.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function promptHidden(io: CliIo, label: string): Promise<string> {
  io.stderr.write(`${label}: `);
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  const line = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  io.stderr.write('\n');
  return line;
}

/** What is read: the prompt's label, and an example of piping it for the error that none came. */
export interface SecretPrompt {
  label: string;
  example: string;
}

const PASSWORD: SecretPrompt = { label: 'Password', example: 'printf %s "$PASSWORD" | keyline users add you@example.com' };

/** A password or other secret comes from stdin (piped) or a hidden prompt, never from argv where `ps` would show it. */
export async function readPassword(io: CliIo, prompt: SecretPrompt = PASSWORD): Promise<string> {
  const text = io.stdin.isTTY ? await promptHidden(io, prompt.label) : await readAll(io.stdin);
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new CliError(`no ${prompt.label.toLowerCase()} given on stdin (pipe it in, e.g. \`${prompt.example}\`)`);
  return password;
}
