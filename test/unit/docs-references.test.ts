import { readFileSync } from 'node:fs';
import { generatedDocs } from '../../scripts/docs/generated-docs.ts';
import { undescribedConfigKeys } from '../../scripts/docs/configuration-reference.ts';
import { projectPath } from '../../src/paths.ts';

/** The first line where two texts part, for a message a person can act on. */
function firstDifference(committed: string, generated: string): string {
  const before = committed.split('\n');
  const after = generated.split('\n');
  const line = after.findIndex((text, index) => text !== before[index]);
  const at = line < 0 ? after.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(before[at] ?? '(end of file)')}, generated ${JSON.stringify(after[at] ?? '(end of file)')}`;
}

describe('the generated references match the code they document', () => {
  test.each(generatedDocs().map((doc) => [doc.path, doc.content] as const))('%s is what `npm run docs` writes', (path, generated) => {
    const committed = readFileSync(projectPath(path), 'utf8');
    if (committed !== generated) {
      throw new Error(`${path} differs from the code it documents (${firstDifference(committed, generated)}): run \`npm run docs\` and commit the result`);
    }
  });

  test('every configuration key has a description (`.describe()` in src/config/schema.ts)', () => {
    expect(undescribedConfigKeys()).toEqual([]);
  });
});
