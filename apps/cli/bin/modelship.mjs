#!/usr/bin/env node
// The `modelship` command in this repository: its TypeScript source run through tsx (workspace
// packages export their source). The packed package's bin is the bundle scripts/build.mjs writes.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
