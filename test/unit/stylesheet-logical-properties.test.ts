import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSETS_DIRECTORY } from '../../src/paths.ts';

/** Physical left/right in the pages' CSS would not mirror on a right-to-left page; the logical properties do. */
const PHYSICAL = /(?:margin|padding|border)-(?:left|right)\b|(?:^|[\s;{])(?:left|right)\s*:|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)|clear\s*:\s*(?:left|right)/g;

test.each(readdirSync(ASSETS_DIRECTORY).filter((file) => file.endsWith('.css')))('%s uses logical properties only', (file) => {
  const css = readFileSync(join(ASSETS_DIRECTORY, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  expect(css.match(PHYSICAL) ?? []).toEqual([]);
});
