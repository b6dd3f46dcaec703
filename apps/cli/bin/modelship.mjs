#!/usr/bin/env node
// The `modelship` command. Its source is TypeScript run through tsx (workspace packages export
// their source), so that it needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
