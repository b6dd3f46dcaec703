// Bundles the service into dist/server.js: workspace packages and npm dependencies alike,
// except those in runtime-packages.json's `external`, which stay in node_modules:
// onnxruntime-node requires its native binding by a computed path. image/bundle.mjs copies
// only the `files` of those packages (and of onnxruntime-common, onnxruntime-node's
// dependency) beside the bundle, so the image ships one file of JavaScript. The bundled
// model, the form's assets and swagger-ui's (gzip-compressed) are copied beside it.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import runtimePackages from './runtime-packages.json' with { type: 'json' };
import { writeSwaggerAssets } from './swagger-assets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

await rm(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: { server: `${root}/src/index.ts` },
  outdir: `${root}/dist`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Whitespace and syntax only: identifiers keep their names, so that stack traces in the
  // logs name the functions and classes of the source (PROFILING.md: sizes of each choice).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  external: runtimePackages.external,
  // CommonJS dependencies inside an ES module bundle still call require (node builtins).
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const modelDir = fileURLToPath(import.meta.resolve('@modelship/insurance-model/model/schema.json'));
await cp(new URL('.', `file://${modelDir}`), `${root}/dist/model`, { recursive: true });
// The web form's stylesheet and script, read at startup from beside server.js (src/form/assets.ts).
await cp(`${root}/src/form/static`, `${root}/dist/static`, { recursive: true });
// /docs' files, read from beside server.js (src/openapi/swagger-assets.ts).
await writeSwaggerAssets(`${root}/dist`);
