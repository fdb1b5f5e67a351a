#!/usr/bin/env node
// `npm start`: the Node version check, then the server (TypeScript, Node >= 22.18).
import { requireNode } from './node-version.js';

requireNode('npm start');
import('../src/main.ts');
