// Bundles the command into dist/modelship.mjs, and the inference service (apps/inference's
// server entry, the code the image runs) into dist/service/server.mjs with the form's assets
// and swagger-ui's files (/docs) beside it, which `modelship serve` starts. Each is one file of
// its own code, the workspace packages it uses and their npm dependencies, so that `npm
// install` of the packed package needs only onnxruntime-node (a native binding). Also what
// `modelship build` builds the runtime image from when none is published: the bundled model
// (the image's default, dist/service/model), the Dockerfile's runtime stage and the commit it is
// built from (dist/runtime).
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import runtimePackages from '@modelship/inference/runtime-packages.json' with { type: 'json' };
import { runtimeStage } from '@modelship/inference/runtime-stage.mjs';
import { writeSwaggerAssets } from '@modelship/inference/swagger-assets.mjs';
import { build } from 'esbuild';
import { checkoutRevision } from '../src/build/revision.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const inference = dirname(fileURLToPath(import.meta.resolve('@modelship/inference/package.json')));

/** esbuild options both bundles share. */
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  // the packages the service's image keeps in node_modules too (declared by apps/inference)
  external: runtimePackages.external,
  // Bundled CommonJS modules call require(); ESM output has none unless one is made.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __createRequire } from 'node:module';",
      'const require = __createRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
};

await rm(`${root}/dist`, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { modelship: `${root}/src/cli.ts` },
  outdir: `${root}/dist`,
});
await build({
  ...common,
  entryPoints: { server: `${inference}/src/index.ts` },
  outdir: `${root}/dist/service`,
  // as apps/inference/scripts/build.mjs minifies the image's server.js (names kept for stack
  // traces): the runtime image built from this package then carries the same /app
  minifyWhitespace: true,
  minifySyntax: true,
});
// The form's stylesheet and script, read at startup from beside the server (src/form/assets.ts).
await cp(`${inference}/src/form/static`, `${root}/dist/service/static`, { recursive: true });
// swagger-ui's files, gzip-compressed, carried in the package rather than depended on
// (swagger-ui-dist's own dependency reports installs to a third party).
await writeSwaggerAssets(`${root}/dist/service`);
// The bundled model, which the runtime image serves when MODEL_DIR is unset (as the Dockerfile's).
const model = fileURLToPath(import.meta.resolve('@modelship/insurance-model/model/schema.json'));
await cp(dirname(model), `${root}/dist/service/model`, { recursive: true });
// The runtime stage is shipped verbatim from apps/inference/Dockerfile rather than split into a
// file of its own: a Dockerfile cannot include another, and one file keeps `docker build` whole.
const { text } = runtimeStage(await readFile(`${inference}/Dockerfile`, 'utf8'));
await mkdir(`${root}/dist/runtime`);
await writeFile(`${root}/dist/runtime/Dockerfile`, text);
// The commit this package is built from: the runtime image built from it is labelled with it.
await writeFile(`${root}/dist/runtime/revision`, `${checkoutRevision(root)}\n`);
