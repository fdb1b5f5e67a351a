import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { projectPath } from '../../src/paths.ts';

/**
 * Guides other branches of issue 21 write; docs/README.md links them before they are merged.
 * Remove this list once they are on main (a link to a file that is absent then fails again).
 */

function markdownFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** The text outside fenced code blocks, where headings are. */
function outsideCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The text outside code blocks and inline code, where a `[x](y)` is a link. */
function prose(markdown: string): string {
  return outsideCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of outsideCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(heading!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

interface Link { from: string; target: string }

function relativeLinks(file: string): Link[] {
  const links = [...prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!);
  return links.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)).map((target) => ({ from: file, target }));
}

function problemWith({ from, target }: Link): string | undefined {
  const [pathPart, anchor] = target.split('#') as [string, string | undefined];
  const file = pathPart ? join(dirname(from), decodeURIComponent(pathPart)) : from;
  const name = relative(projectPath('.'), file);
  if (!existsSync(file)) return `${name} does not exist`;
  if (anchor === undefined || statSync(file).isDirectory() || !file.endsWith('.md')) return undefined;
  return anchorsOf(readFileSync(file, 'utf8')).has(anchor) ? undefined : `${name} has no heading #${anchor}`;
}

const FILES = [projectPath('README.md'), ...markdownFiles(projectPath('docs'))];

test('every relative link in README.md and docs/ names a file and heading that exist', () => {
  const broken = FILES.flatMap(relativeLinks).flatMap((link) => {
    const problem = problemWith(link);
    return problem ? [`${relative(projectPath('.'), link.from)}: (${link.target}): ${problem}`] : [];
  });
  expect(broken).toEqual([]);
});

test('the README links the documentation set', () => {
  expect(FILES.flatMap(relativeLinks).filter((link) => link.from === FILES[0]).map((link) => link.target)).toContain('docs/README.md');
});
