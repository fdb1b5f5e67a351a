import { MAIN_HELP, NOUNS } from '../../src/cli/main.ts';
import { generatedBanner } from './markdown.ts';

/** docs/cli.md, from the help texts the CLI itself prints for `--help`. */
export function cliReference(): string {
  const nouns = Object.entries(NOUNS).map(([noun, { help }]) => `## keyline ${noun}\n\n\`\`\`text\n${help}\n\`\`\``);
  return `# CLI reference

${generatedBanner('src/cli/main.ts (NOUNS, MAIN_HELP) and each noun\'s help text')}

\`npx keyline\` works on the same configuration and store as the server, and is safe to run while
the server runs: what it changes takes effect at once, without a restart (running servers see a
changed client within a quarter second). Every command has \`--help\` (the text below), exits
non-zero with one precise line on bad input, and listings take \`--json\`.

Destructive verbs (\`clients remove\`, \`users remove\`, \`users reset-mfa\`, \`sessions revoke\`,
\`keys rotate --now\`, \`keys retire\`) ask for confirmation on a terminal and need \`--yes\` in
scripts. Every change the CLI makes is recorded in the audit trail first, as \`cli:<your OS user>\`;
if it cannot be recorded, nothing is changed. Passwords are read from stdin (or a hidden prompt),
never from the command line. Walkthroughs: [getting started](getting-started.md),
[clients and APIs](clients-and-apis.md), [authorization](authorization.md).

## keyline

\`\`\`text
${MAIN_HELP}
\`\`\`

${nouns.join('\n\n')}
`;
}
