import { userInfo } from 'node:os';
import { auditedChange } from '../audit/audited-change.ts';
import { SecurityEvents, type SecurityEvent } from '../audit/security-events.ts';
import type { CliContext } from './cli-context.ts';

/** Who runs the CLI: the OS user, as `cli:<name>` (or `cli` where the OS cannot say). */
export function cliActor(env: Record<string, string | undefined>): string {
  try {
    return `cli:${env.KEYLINE_ACTOR || userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Every CLI change goes through here: recorded as `cli:<os user>` before it is made (see auditedChange). */
export async function adminAction<T>(cli: CliContext, event: Omit<SecurityEvent, 'actor'>, change: () => Promise<T>): Promise<T> {
  const events = new SecurityEvents((await cli.store()).audit, cli.logger);
  return auditedChange(events, { ...event, actor: cliActor(cli.io.env) }, change);
}
