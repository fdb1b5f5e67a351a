import { userInfo } from 'node:os';
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

/**
 * Every CLI change goes through here. The event is written first: if the audit trail cannot take
 * it, the change is not made. If the change then fails, a `<type>.failed` event says so, so the
 * trail never claims a change that did not happen. (No transaction spans both on every backend:
 * see DESIGN.md, "Audit trail".)
 */
export async function adminAction<T>(cli: CliContext, event: Omit<SecurityEvent, 'actor'>, change: () => Promise<T>): Promise<T> {
  const events = new SecurityEvents((await cli.store()).audit, cli.logger);
  const actor = cliActor(cli.io.env);
  const recorded = await events.record({ ...event, actor });
  try {
    return await change();
  } catch (error) {
    await events.record({ ...event, actor, type: `${event.type}.failed`, data: { causedBy: recorded, reason: (error as Error).message } });
    throw error;
  }
}
