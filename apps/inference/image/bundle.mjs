// Assembles the inference service's production bundle in OUT_DIR: exactly what the container
// image ships, and what the production-bundle test starts on its own.
//
//   node apps/inference/image/bundle.mjs OUT_DIR    (after `pnpm --filter @modelship/inference build`)
//
// OUT_DIR is the runtime image's /app as runtime-app.mjs lays it out (also for `modelship
// build` from the installed package): package.json, dist (server.js with every dependency
// bundled, the bundled model, the form's assets; no source map) and node_modules holding only
// the runtime packages' declared files for this Node's platform and architecture, copied from
// the workspace's installed (locked) versions. Written to OUT_DIR.partial, then renamed.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRuntimePackages, runtimeAppFiles, writeRuntimeApp } from './runtime-app.mjs';

const fail = (message) => {
  console.error(`bundle.mjs: ${message}`);
  process.exit(1);
};

const [outArg, ...rest] = process.argv.slice(2);
if (!outArg || rest.length > 0) {
  console.error('usage: node bundle.mjs OUT_DIR');
  process.exit(2);
}
const out = isAbsolute(outArg) ? outArg : resolve(outArg);
const app = fileURLToPath(new URL('..', import.meta.url));

const exists = (path) =>
  stat(path).then(
    () => true,
    () => false,
  );
if (!(await exists(join(app, 'dist/server.js')))) {
  fail(`${join(app, 'dist/server.js')} is missing: build the service first`);
}
if ((await exists(out)) && (await readdir(out)).length > 0) fail(`${out} exists and is not empty`);

const packages = await resolveRuntimePackages(app).catch((error) =>
  fail(`${error.message}: run pnpm install`),
);
const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8'));
const files = await runtimeAppFiles({
  manifest,
  dist: join(app, 'dist'),
  packages,
  platform: process.platform,
  arch: process.arch,
}).catch((error) => fail(error.message));

const staging = `${out}.partial`;
await rm(staging, { recursive: true, force: true });
try {
  await writeRuntimeApp(files, staging);
  await rm(out, { recursive: true, force: true });
  await mkdir(dirname(out), { recursive: true });
  await rename(staging, out);
} catch (error) {
  await rm(staging, { recursive: true, force: true });
  throw error;
}
