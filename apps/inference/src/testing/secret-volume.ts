// Test helper: a directory laid out as the kubelet lays out a mounted Secret, updated as the
// kubelet updates it: each version in a timestamped folder, `..data` a symlink to the current
// one, swapped atomically by renaming a new symlink over it; each key a symlink through `..data`.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Secret volume with one data key; `write` publishes a new version of it. */
export interface SecretVolume {
  /** The path the container reads (`<dir>/<key>`). */
  readonly file: string;
  write(content: string): void;
}

/** Creates a Secret volume whose data key `key` holds `content`. */
export function secretVolume(key: string, content: string): SecretVolume {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-secret-'));
  let version = 0;
  const write = (text: string) => {
    version += 1;
    const folder = `..2026_12_06_00_00_00.${version}`;
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, folder, key), text);
    symlinkSync(folder, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  write(content);
  symlinkSync(join('..data', key), join(dir, key));
  return { file: join(dir, key), write };
}
