import { readFileSync } from 'node:fs';
import type { Next } from 'koa';
import compose from 'koa-compose';
import { accessFor, effectiveAccessOfAccount } from '../authorization/effective-access.ts';
import { ADMIN_API_PATH, adminApiIndicator } from '../oidc/admin-api-resource.ts';
import type { AdminContext, HeldPermissions, PersonPermissions } from './admin-caller.ts';
import { authenticateAdminCaller } from './admin-caller.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import type { AdminOperation } from './admin-operation.ts';
import { auditAdminCalls } from './audit-admin-calls.ts';
import { auditOperations } from './audit-routes.ts';
import { clientOperations } from './clients-routes.ts';
import { groupOperations } from './groups-routes.ts';
import { openApiDocument } from './openapi-document.ts';
import { operationRouter } from './operation-router.ts';
import { ProblemError } from './problem.ts';
import { problemDetails } from './problem-details.ts';
import { registrationTokenOperations } from './registration-tokens-routes.ts';
import { passwordResetOperations } from './password-reset-routes.ts';
import { resourceOperations } from './resources-routes.ts';
import { roleOperations } from './roles-routes.ts';
import { sessionOperations } from './sessions-routes.ts';
import { signingKeyOperations } from './signing-keys-routes.ts';
import { upstreamOperations } from './upstreams-routes.ts';
import { userAccessOperations } from './user-access-routes.ts';
import { userIdentityOperations } from './user-identities-routes.ts';
import { userOperations } from './users-routes.ts';

/** The admin API's nouns, each a router of its own operations. */
const NOUNS = [
  userOperations, userAccessOperations, userIdentityOperations, passwordResetOperations, sessionOperations, groupOperations, roleOperations,
  clientOperations, resourceOperations, upstreamOperations, signingKeyOperations, auditOperations, registrationTokenOperations,
];

export const OPENAPI_PATH = `${ADMIN_API_PATH}/openapi.json`;

function keylineVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Every operation of the admin API, as routed and as documented. */
export function adminOperations(deps: AdminDependencies): AdminOperation[][] {
  return NOUNS.map((noun) => noun(deps));
}

/** The admin API scopes an account's built-in roles give it, read from the store each time. */
function heldPermissions({ store, issuer }: AdminDependencies): HeldPermissions {
  return async (accountId) => accessFor(await effectiveAccessOfAccount(store, issuer, accountId), adminApiIndicator(issuer)).permissions;
}

/** What a person may do through the admin API now: nothing once disabled or removed, else what their roles hold. */
function personPermissions(deps: AdminDependencies): PersonPermissions {
  const held = heldPermissions(deps);
  return async (accountId) => {
    const account = await deps.store.accounts.findById(accountId);
    return !account || account.disabled ? undefined : held(accountId);
  };
}

/**
 * The admin REST API at /admin/v1/: problem details for every failure, the OpenAPI document
 * (public: it describes the API, and is the same for every Keyline of this version), then for
 * everything else a Keyline access token, an audit record of the call, and the noun routers.
 * Requests under /admin/v1/ never reach the routes behind it.
 */
export function adminApi(deps: AdminDependencies) {
  const nouns = adminOperations(deps);
  const routing = { events: deps.securityEvents, audience: adminApiIndicator(deps.issuer), heldPermissions: heldPermissions(deps) };
  const routers = nouns.map((operations) => operationRouter(ADMIN_API_PATH, operations, routing));
  const document = JSON.stringify(openApiDocument(nouns.flat(), {
    serverUrl: adminApiIndicator(deps.issuer), tokenUrl: `${deps.issuer}/token`, authorizationUrl: `${deps.issuer}/auth`, version: keylineVersion(),
  }));
  const routes = compose(routers.flatMap((router) => [router.routes(), router.allowedMethods()]) as never[]);
  const authenticated = compose([authenticateAdminCaller(deps.judgeAccessToken, personPermissions(deps)), auditAdminCalls(deps.securityEvents), async (ctx: AdminContext, next: Next) => {
    await routes(ctx, next);
    if (ctx.status === 405 || ctx.status === 501) {
      const allowed = ctx.response.get('Allow');
      throw new ProblemError(405, 'method_not_allowed', `${ctx.method} is not an operation at ${ctx.path}; it takes ${allowed}`, { headers: { Allow: allowed } });
    }
    if (ctx.state.adminOperation === undefined && ctx.status === 404) {
      throw new ProblemError(404, 'not_found', `there is no admin API operation at ${ctx.path}; see ${OPENAPI_PATH}`);
    }
  }] as never[]);

  return async (ctx: AdminContext, next: Next): Promise<void> => {
    if (ctx.path !== ADMIN_API_PATH && !ctx.path.startsWith(`${ADMIN_API_PATH}/`)) {
      await next();
      return;
    }
    await problemDetails(ctx, async () => {
      if (ctx.path === OPENAPI_PATH && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
        ctx.type = 'application/json';
        ctx.body = document;
        return;
      }
      await authenticated(ctx, async () => {});
    });
  };
}
