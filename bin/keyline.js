#!/usr/bin/env node
// The `keyline` admin CLI. Needs Node.js >= 22.18 (TypeScript type stripping); `npx keyline` uses the project's Node 24.
import '../src/cli/main.ts';
