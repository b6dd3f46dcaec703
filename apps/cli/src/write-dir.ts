import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { usageError } from './errors.ts';

/** Refuses an existing `--out` unless `--force` (before any work is done). */
export function checkOut(out: string, force: boolean): void {
  if (existsSync(out) && !force) {
    throw usageError(
      `--out ${out} already exists: choose another directory, or pass --force to replace it`,
    );
  }
}

/**
 * Fills a directory all at once: `fill` writes into a temporary sibling directory, and only
 * when it succeeds is that renamed to `out` (replacing an existing `out`). On any failure the
 * temporary directory is removed: `out` is never left half written.
 */
export async function replaceDirAtomically(
  out: string,
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const temp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`));
  try {
    // mkdtemp makes it private (0700); the result is an ordinary directory.
    await chmod(temp, 0o755);
    await fill(temp);
    if (existsSync(out)) {
      const old = `${temp}.old`;
      await rename(out, old);
      await rename(temp, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, out);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes a directory all at once: the files (contents, or `{ from }` a file to copy) go into a temporary sibling directory, `verify`
 * runs on it, and only then is it renamed to `out` (replacing an existing `out` when `force`).
 * On any failure the temporary directory is removed: `out` is never left half written.
 */
export async function writeDirAtomically(
  out: string,
  files: Readonly<Record<string, Uint8Array | string | { readonly from: string }>>,
  options: { readonly force: boolean; readonly verify: (dir: string) => Promise<void> },
): Promise<void> {
  checkOut(out, options.force);
  await replaceDirAtomically(out, async (temp) => {
    for (const [name, content] of Object.entries(files)) {
      const path = join(temp, name);
      await mkdir(dirname(path), { recursive: true });
      // `{ from }`: a file copied as it is (a large side file is never read into memory).
      if (typeof content === 'object' && 'from' in content) await copyFile(content.from, path);
      else await writeFile(path, content);
    }
    await options.verify(temp);
  });
}

/** Replaces one file atomically (written beside it, then renamed over it). */
export async function replaceFile(path: string, content: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
