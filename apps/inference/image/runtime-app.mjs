// The runtime image's /app, declared once for both builds of that image: bundle.mjs in the
// Dockerfile's build stage (from this workspace) and `modelship build` from the installed
// @modelship/cli (its bundled service and its onnxruntime-node, apps/cli/src/build). Plain
// JavaScript (typed by runtime-app.d.mts) because node runs bundle.mjs without a compiler.
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import runtimePackages from '../scripts/runtime-packages.json' with { type: 'json' };

/** The service's entry point in /app, which the Dockerfile's ENTRYPOINT runs. */
export const APP_ENTRY = 'dist/server.js';

const isFile = (path) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
const exists = (path) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Source maps and type declarations are for development only. */
const shipped = (path) => !/\.map$|\.d\.[cm]?ts$/.test(path);

// The folder of package `name` as Node resolves it from `fromDir` (through its entry point:
// onnxruntime-common's `exports` does not expose package.json).
async function resolveFrom(fromDir, name) {
  let entry;
  try {
    entry = createRequire(join(fromDir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if ((await isFile(manifest)) && JSON.parse(await readFile(manifest, 'utf8')).name === name) {
      return dir;
    }
  }
  return undefined;
}

/**
 * The folder of each runtime package (scripts/runtime-packages.json) as installed for code in
 * `fromDir`: a dependency of it or, for onnxruntime-common, of onnxruntime-node.
 */
export async function resolveRuntimePackages(fromDir) {
  const dirs = new Map();
  for (const name of Object.keys(runtimePackages.files)) {
    let found;
    for (const dir of [fromDir, ...dirs.values()]) found ??= await resolveFrom(dir, name);
    if (!found) throw new Error(`cannot resolve ${name} from ${fromDir}`);
    dirs.set(name, found);
  }
  return dirs;
}

// Every shipped file below `source` (or `source` itself), each with its path under `target`.
async function filesOf(source, target) {
  if (await isFile(source)) return [{ from: source, to: target }];
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter(shipped)
    .map((from) => ({ from, to: join(target, from.slice(source.length + 1)) }));
}

/**
 * The files of /app, sorted by path: package.json (`manifest`'s name and version, an ES
 * module), `dist`'s shipped files under dist/ (`entry` as {@link APP_ENTRY}) and the runtime
 * packages' declared files for `platform`/`arch` only, under node_modules/.
 */
export async function runtimeAppFiles({
  manifest,
  dist,
  entry = 'server.js',
  packages,
  platform,
  arch,
}) {
  const files = (await filesOf(dist, 'dist')).map((file) =>
    file.to === join('dist', entry) ? { ...file, to: APP_ENTRY } : file,
  );
  if (!files.some((file) => file.to === APP_ENTRY)) throw new Error(`${dist} has no ${entry}`);
  for (const [name, dir] of packages) {
    for (const pattern of runtimePackages.files[name] ?? []) {
      const path = pattern.replace('{platform}', platform).replace('{arch}', arch);
      if (!(await exists(join(dir, path)))) throw new Error(`${name} has no ${path} (in ${dir})`);
      files.push(...(await filesOf(join(dir, path), join('node_modules', name, path))));
    }
  }
  const { name, version } = manifest;
  const packageJson = { name, version, private: true, type: 'module' };
  return {
    packageJson: `${JSON.stringify(packageJson, null, 2)}\n`,
    files: files.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0)),
  };
}

/**
 * Writes `app` (from {@link runtimeAppFiles}) into the folder `out`, every file and folder
 * readable by all (the service runs as another user than the files' owner).
 */
export async function writeRuntimeApp(app, out) {
  await mkdir(out, { recursive: true, mode: 0o755 });
  await writeFile(join(out, 'package.json'), app.packageJson, { mode: 0o644 });
  for (const { from, to } of app.files) {
    const target = join(out, to);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await copyFile(from, target);
    await chmod(target, (await stat(from)).mode & 0o111 ? 0o755 : 0o644);
  }
}
