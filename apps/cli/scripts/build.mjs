// Bundles the command into dist/modelship.mjs: its own code, the workspace packages it uses and
// their npm dependencies in one file, so that `npm install` of the packed package needs only
// onnxruntime-node (a native binding, installed from the registry).
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

await rm(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: { modelship: `${root}/src/cli.ts` },
  outdir: `${root}/dist`,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['onnxruntime-node'],
  // Bundled CommonJS modules call require(); ESM output has none unless one is made.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __createRequire } from 'node:module';",
      'const require = __createRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
