// Assembles the inference service's production bundle in OUT_DIR: exactly what the container
// image ships, and what the production-bundle test starts on its own.
//
//   node apps/inference/image/bundle.mjs OUT_DIR    (after `pnpm --filter @modelship/inference build`)
//
// OUT_DIR/package.json (name, version, "type": "module"), OUT_DIR/dist (server.js with every
// dependency bundled, the bundled model, the form's assets; no source map) and
// OUT_DIR/node_modules holding only the runtime packages' needed files, as declared in
// scripts/runtime-packages.json (`files`; `{platform}`/`{arch}` are this Node's), copied
// from the workspace's installed (locked) versions. Written to OUT_DIR.partial, then renamed.
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import runtimePackages from '../scripts/runtime-packages.json' with { type: 'json' };

const runtimeFiles = runtimePackages.files;

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

// Every runtime package as installed for the service: a dependency of the service or, for
// onnxruntime-common, of onnxruntime-node (resolved from its own folder, as Node would).
const packageDirs = new Map();
// The folder of package `name` as Node resolves it from `fromDir` (through its entry point:
// onnxruntime-common's `exports` does not expose package.json).
const resolveFrom = async (fromDir, name) => {
  let entry;
  try {
    entry = createRequire(join(fromDir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if ((await exists(manifest)) && JSON.parse(await readFile(manifest, 'utf8')).name === name) {
      return dir;
    }
  }
  return undefined;
};
for (const name of Object.keys(runtimeFiles)) {
  let found;
  for (const dir of [app, ...packageDirs.values()]) {
    found ??= await resolveFrom(dir, name);
  }
  if (!found) fail(`cannot resolve ${name} from ${app}: run pnpm install`);
  packageDirs.set(name, found);
}

/** Source maps and type declarations are for development only. */
const shipped = (source) => !/\.map$|\.d\.[cm]?ts$/.test(source);

const staging = `${out}.partial`;
await rm(staging, { recursive: true, force: true });
try {
  await mkdir(staging, { recursive: true });
  const pkg = JSON.parse(await readFile(join(app, 'package.json'), 'utf8'));
  const manifest = { name: pkg.name, version: pkg.version, private: true, type: 'module' };
  await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await cp(join(app, 'dist'), join(staging, 'dist'), {
    recursive: true,
    filter: shipped,
  });
  for (const [name, dir] of packageDirs) {
    for (const pattern of runtimeFiles[name]) {
      const path = pattern.replace('{platform}', process.platform).replace('{arch}', process.arch);
      if (!(await exists(join(dir, path)))) fail(`${name} has no ${path} (in ${dir})`);
      await cp(join(dir, path), join(staging, 'node_modules', name, path), {
        recursive: true,
        filter: shipped,
      });
    }
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(dirname(out), { recursive: true });
  await rename(staging, out);
} catch (error) {
  await rm(staging, { recursive: true, force: true });
  throw error;
}
