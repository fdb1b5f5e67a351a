import { existsSync, readdirSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';

/**
 * Template folders searched in order: an operator's theme folder first, Keyline's own last. A
 * template that `extends layout.pug` or `include`s a partial gets the theme's copy when there is
 * one, so a theme replaces any single file and keeps the rest.
 */
export class LayeredViews {
  readonly roots: readonly string[];

  constructor(roots: string[]) {
    this.roots = roots;
  }

  /** The page templates: top-level .pug files except the layout, from every folder. */
  pageNames(): string[] {
    const names = new Set<string>();
    for (const root of this.roots.filter((folder) => existsSync(folder))) {
      for (const file of readdirSync(root)) {
        if (file.endsWith('.pug') && file !== 'layout.pug') names.add(file.slice(0, -'.pug'.length));
      }
    }
    return [...names].sort();
  }

  /** The file that serves a path relative to the folders (e.g. `login.pug`, `partials/footer.pug`). */
  find(relativePath: string): string {
    const withExtension = extname(relativePath) ? relativePath : `${relativePath}.pug`;
    for (const root of this.roots) {
      const candidate = join(root, withExtension);
      if (existsSync(candidate)) return candidate;
    }
    return join(this.roots[this.roots.length - 1]!, withExtension);
  }

  /** A pug plugin: `extends`/`include` paths resolve through the folders, not next to the including file. */
  pugPlugin() {
    return {
      resolve: (filename: string, source: string): string => {
        const name = filename.trim();
        if (name.startsWith('/')) return this.find(name.slice(1));
        const sourceDirectory = dirname(source.trim());
        const root = this.roots.find((folder) => sourceDirectory === folder || sourceDirectory.startsWith(folder + sep));
        return this.find(root ? join(relative(root, sourceDirectory), name) : name);
      },
    };
  }
}
