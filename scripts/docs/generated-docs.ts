import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/paths.ts';
import { withAdminOperations } from './admin-operations.ts';
import { cliReference } from './cli-reference.ts';
import { configurationReference } from './configuration-reference.ts';

export interface GeneratedDoc {
  /** Relative to the project. */
  path: string;
  content: string;
}

/** Every generated documentation file, as `npm run docs` writes it (and the test compares it). */
export function generatedDocs(): GeneratedDoc[] {
  const adminGuide = 'docs/admin-api.md';
  return [
    { path: 'docs/configuration.md', content: configurationReference() },
    { path: 'docs/cli.md', content: cliReference() },
    { path: adminGuide, content: withAdminOperations(readFileSync(projectPath(adminGuide), 'utf8')) },
  ];
}
