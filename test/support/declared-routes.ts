import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_API_PATH } from '../../src/oidc/admin-api-resource.ts';
import { SELF_SERVICE_PATHS } from '../../src/accounts/self-service/self-service-links.ts';
import { SSF_PATHS } from '../../src/signals/transmitter-configuration.ts';

const SOURCE = join(import.meta.dirname, '../../src');

/** The router files whose routes people and machines reach, and where each is mounted. */
const ROUTER_FILES: ReadonlyArray<{ file: string; mountedAt: string }> = [
  { file: 'oidc/interactions/interaction-routes.ts', mountedAt: '/interaction/:uid' },
  { file: 'account/account-routes.ts', mountedAt: '/account' },
  { file: 'self-service/self-service-routes.ts', mountedAt: '' },
  { file: 'signals/stream-management-routes.ts', mountedAt: '' },
  { file: 'oidc/logout-routes.ts', mountedAt: '' },
  { file: 'http/ops-routes.ts', mountedAt: '' },
  { file: 'pages/start-page.ts', mountedAt: '' },
  { file: 'pages/language-picker.ts', mountedAt: '' },
  { file: 'federation/upstream-callback.ts', mountedAt: '/federation/:id' },
  { file: 'federation/upstream-logout-routes.ts', mountedAt: '' },
];

const NAMED_PATHS: Record<string, Record<string, string>> = { SSF_PATHS, SELF_SERVICE_PATHS };

/** A route's path expression as written (a literal, `SSF_PATHS.x`, or a template of them) as the path it serves. */
function pathOf(expression: string): string {
  return expression.trim()
    .replace(/\$\{(\w+)\.(\w+)\}/g, (_, object: string, key: string) => NAMED_PATHS[object]?.[key] ?? `?${object}.${key}`)
    .replace(/^(\w+)\.(\w+)$/, (_, object: string, key: string) => NAMED_PATHS[object]?.[key] ?? `?${object}.${key}`)
    .replace(/^['`]|['`]$/g, '');
}

/**
 * Every route Keyline itself declares ("METHOD /path"), read from the router files and the admin
 * API's operations as written, so a route added anywhere there is listed here without anyone
 * remembering to. oidc-provider's own endpoints are not in it: the library declares them.
 */
export function declaredRoutes(): string[] {
  const routes = new Set<string>();
  for (const { file, mountedAt } of ROUTER_FILES) {
    const text = readFileSync(join(SOURCE, file), 'utf8');
    for (const match of text.matchAll(/router\.(get|post|put|patch|delete)\(\s*([^,]+),/g)) {
      const path = `${mountedAt}${pathOf(match[2]!)}`;
      routes.add(`${match[1]!.toUpperCase()} ${path === '' ? '/' : path.replace(/(.)\/$/, '$1')}`);
    }
  }
  const adminDirectory = join(SOURCE, 'admin-api');
  for (const file of readdirSync(adminDirectory).filter((name) => name.endsWith('-routes.ts'))) {
    const text = readFileSync(join(adminDirectory, file), 'utf8');
    for (const match of text.matchAll(/method: '(\w+)', path: '([^']+)'/g)) {
      routes.add(`${match[1]!.toUpperCase()} ${ADMIN_API_PATH}${match[2]!}`);
    }
  }
  return [...routes].sort();
}
