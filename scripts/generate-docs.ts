// `npm run docs`: writes the configuration reference, the CLI reference and the admin API's
// operation list from the code they document.
import { readFileSync, writeFileSync } from 'node:fs';
import { projectPath } from '../src/paths.ts';
import { generatedDocs } from './docs/generated-docs.ts';

for (const { path, content } of generatedDocs()) {
  const target = projectPath(path);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a new file
  }
  if (current === content) continue;
  writeFileSync(target, content);
  console.log(`wrote ${path}`);
}
