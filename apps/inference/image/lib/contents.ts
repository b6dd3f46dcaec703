// What may ship in the production bundle and the image: the bundle (dist), and in
// node_modules only the runtime packages that scripts/runtime-packages.json declares (what
// esbuild cannot inline). Never TypeScript sources, tests or the training data. Works on
// plain path lists, so the same rules check a directory on disk and the file listing of an
// exported container.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import runtimePackages from '../../scripts/runtime-packages.json' with { type: 'json' };

/** The packages allowed in the bundle's node_modules. */
export const runtimePackageNames: readonly string[] = Object.keys(runtimePackages.files);

/** Every file and directory below `dir`, relative to it, '/'-separated (symlinks not followed). */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

const typescriptSource = /\.(ts|tsx|mts|cts)$/;
const testFile = /(^|\/)[^/]+\.(test|spec)\.[cm]?[jt]sx?$/;
const trainingData = /(^|\/)insurance\.csv$|(^|\/)insurance-model\/data(\/|$)/;

/** Whether a path is (part of) the bundled model's training data set. */
export function isTrainingData(path: string): boolean {
  return trainingData.test(path);
}

/**
 * The violations among `paths` (relative to the application root, e.g. `dist/server.js`,
 * `node_modules/onnxruntime-node/dist/index.js`), one message each; empty when clean.
 * Anywhere: no TypeScript source (declarations included: they are for development), no test
 * file, no training data. In node_modules: only the `allowed` packages, no nested node_modules.
 */
export function forbiddenContents(
  paths: readonly string[],
  allowed: readonly string[] = runtimePackageNames,
): string[] {
  const problems = new Set<string>();
  for (const path of paths) {
    if (isTrainingData(path)) problems.add(`training data: ${path}`);
    if (typescriptSource.test(path)) problems.add(`TypeScript source: ${path}`);
    if (testFile.test(path)) problems.add(`test file: ${path}`);
    const inModules = /^node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(path);
    const name = inModules?.[1];
    if (name && !allowed.includes(name)) problems.add(`package not needed at run time: ${name}`);
    if (inModules?.[2]?.includes('/node_modules')) {
      problems.add(`nested node_modules: ${path}`);
    }
  }
  return [...problems];
}
