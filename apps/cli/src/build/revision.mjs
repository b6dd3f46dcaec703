// The commit a build comes from: REVISION when set (a release pipeline's), else the HEAD of the
// checkout that holds `dir`, else "unknown" (no git, or not a checkout). Plain JavaScript:
// scripts/build.mjs runs under node without a compiler.
import { spawnSync } from 'node:child_process';

/** @param {string} dir @returns {string} */
export function checkoutRevision(dir) {
  if (process.env.REVISION !== undefined) return process.env.REVISION;
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : 'unknown';
}
