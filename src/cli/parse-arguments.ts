import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArguments {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** parseArgs with strict checking (boolean options also take --no-<name>), turning its errors into one-line usage errors. */
export function parseArguments(args: string[], options: Options, usage: string): ParsedArguments {
  try {
    const { values, positionals, tokens } = parseArgs({ args, options, allowPositionals: true, allowNegative: true, strict: true, tokens: true });
    const negated = new Set(tokens.flatMap((token) => (token.kind === 'option' && token.rawName.startsWith('--no-') ? [token.name] : [])));
    const contradicted = tokens.find((token) => token.kind === 'option' && negated.has(token.name) && !token.rawName.startsWith('--no-'));
    if (contradicted?.kind === 'option') throw new UsageError(`--${contradicted.name} and --no-${contradicted.name} contradict each other`);
    return { values: values as ParsedArguments['values'], positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`${reason} (usage: ${usage})`);
  }
}

export function requirePositional(parsed: ParsedArguments, index: number, name: string, usage: string): string {
  const value = parsed.positionals[index];
  if (!value) throw new UsageError(`missing <${name}> (usage: ${usage})`);
  return value;
}

export function stringOption(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(parsed: ParsedArguments, name: string): string[] {
  const value = parsed.values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
}
