#!/usr/bin/env node
// The `keyline` admin CLI. The version check runs first, in plain JavaScript, because the CLI
// itself is TypeScript that only Node >= 22.18 can run (`npx keyline` uses the project's Node 24).
import { requireNode } from './node-version.js';

requireNode('npx keyline');
import('../src/cli/main.ts');
