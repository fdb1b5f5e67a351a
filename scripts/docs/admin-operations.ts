import { adminOperations } from '../../src/admin-api/admin-api.ts';
import { scopesThatSuffice } from '../../src/admin-api/admin-caller.ts';
import type { AdminDependencies } from '../../src/admin-api/admin-dependencies.ts';
import { ADMIN_API_PATH } from '../../src/oidc/admin-api-resource.ts';
import { generatedBanner, table } from './markdown.ts';

export const OPERATIONS_BEGIN = '<!-- BEGIN generated admin API operations -->';
export const OPERATIONS_END = '<!-- END generated admin API operations -->';

/** The operation table, from the same operation list the admin API routes and documents in its OpenAPI document. */
export function adminOperationList(): string {
  // Declaring operations reads no dependency: the handlers use them only when called.
  const operations = adminOperations({} as AdminDependencies).flat();
  const rows = operations.map((operation) => [
    operation.method.toUpperCase(),
    `\`${ADMIN_API_PATH}${operation.path}\``,
    operation.summary,
    scopesThatSuffice(operation).map((scope) => `\`${scope}\``).join(', '),
    `\`${operation.id}\``,
  ]);
  return `${generatedBanner('the admin API\'s operation list (src/admin-api/*-routes.ts)')}\n\n${table(['method', 'path', 'what it does', 'any of these scopes', 'operationId'], rows)}`;
}

/** The hand-written admin API guide with its generated operation table put in between the markers. */
export function withAdminOperations(guide: string): string {
  const begin = guide.indexOf(OPERATIONS_BEGIN);
  const end = guide.indexOf(OPERATIONS_END);
  if (begin < 0 || end < begin) throw new Error(`docs/admin-api.md must hold ${OPERATIONS_BEGIN} ... ${OPERATIONS_END}`);
  return `${guide.slice(0, begin + OPERATIONS_BEGIN.length)}\n${adminOperationList()}\n${guide.slice(end)}`;
}
