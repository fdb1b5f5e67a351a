import { UsageError } from './cli-error.ts';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90d", "12h", "30m", "45s" or plain seconds, as seconds. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || 's']! : 0;
  if (!seconds) throw new UsageError(`${option} takes a duration such as 30d, 12h or 3600 (seconds), not "${value}"`);
  return seconds;
}
