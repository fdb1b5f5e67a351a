import type { AuthorizationAdministration } from '../authorization/authorization-administration.ts';
import { SecuritySignals } from '../signals/security-signals.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';

/** Groups, roles and grants changed from the CLI: audited as the OS user, signals through the server's outbox. */
export async function authorizationAdministration(cli: CliContext): Promise<AuthorizationAdministration> {
  return {
    store: await cli.store(),
    issuer: cli.config.issuer,
    resources: await cli.resources(),
    audited: (event, change) => adminAction(cli, event, change),
    signals: new SecuritySignals(await cli.outbox()),
  };
}
