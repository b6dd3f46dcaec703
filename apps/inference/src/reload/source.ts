import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { MODEL_FILE } from '../model/load.ts';

/** The file of a versioned model source that names the version to serve, on one line. */
export const CURRENT_FILE = 'current';

/** Where the model comes from: a plain model directory, or a directory of versions. */
export type ModelSource =
  | { readonly kind: 'plain'; readonly dir: string }
  | { readonly kind: 'versioned'; readonly root: string };

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Tells a plain model directory (`model.onnx` at its top: served as is, never reloaded) from a
 * versioned source (version subdirectories, each a complete model directory, and a `current`
 * file naming the one to serve). Anything else is a plain directory, for the loader to refuse
 * with its own message.
 */
export async function resolveModelSource(dir: string): Promise<ModelSource> {
  if (await exists(join(dir, MODEL_FILE))) return { kind: 'plain', dir };
  if (await exists(join(dir, CURRENT_FILE))) return { kind: 'versioned', root: dir };
  return { kind: 'plain', dir };
}

/**
 * What identifies the content of a version directory without reading it: each file's path,
 * size, modification and change times and inode. Writing a file, replacing it by a rename,
 * adding or removing one all change it.
 */
export async function versionSignature(dir: string): Promise<string> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    const files = await Promise.all(
      entries
        .filter((entry) => !entry.isDirectory())
        .map(async (entry) => {
          const path = join(entry.parentPath, entry.name);
          const s = await stat(path).catch(() => undefined);
          return `${relative(dir, path)} ${s?.size} ${s?.mtimeMs} ${s?.ctimeMs} ${s?.ino}`;
        }),
    );
    return files.sort().join('\n');
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/** A `current` file that does not name a version subdirectory. */
export class CurrentFileError extends Error {
  override readonly name = 'CurrentFileError';
}

/**
 * Reads `current`: the name of one subdirectory of `root` (no path separators, not `.` or
 * `..`, surrounding whitespace ignored). Written by rename, so a read sees the old or the new
 * name, never half of one.
 */
export async function readCurrent(root: string): Promise<{ name: string; dir: string }> {
  const path = join(root, CURRENT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CurrentFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const name = text.trim();
  if (!name || name.includes('\n') || /[/\\]/.test(name) || name === '.' || name === '..') {
    throw new CurrentFileError(
      `${path} must hold the name of one version subdirectory on one line, not ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return { name, dir: join(root, name) };
}
