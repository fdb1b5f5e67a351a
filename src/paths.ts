import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project directory (where package.json is). Relative paths in the configuration resolve
 * against it, so `npx keyline doctor` run from another folder still finds the server's store.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const VIEWS_DIRECTORY = resolve(PROJECT_ROOT, 'views');
export const LOCALES_DIRECTORY = resolve(PROJECT_ROOT, 'locales');
export const ASSETS_DIRECTORY = resolve(PROJECT_ROOT, 'assets');

export function projectPath(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}
