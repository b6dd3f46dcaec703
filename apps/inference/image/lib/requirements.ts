// What a real-component test needs from the machine, and the project's rule for when it is
// missing: skip with a clear message locally, fail under CI (CI=true).
import { spawnSync } from 'node:child_process';

/** True when running under CI, where a missing requirement is a failure, not a skip. */
export const inCI = process.env.CI === 'true';

/** Whether `name` is an executable on PATH. */
export function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

/** One unmet requirement per entry: each tool not on PATH, and root if `root` is asked for. */
export function unmet(tools: readonly string[], options: { root?: boolean } = {}): string[] {
  const missing = tools.filter((tool) => !onPath(tool)).map((tool) => `'${tool}' is not installed`);
  if (options.root && process.getuid?.() !== 0) missing.push('must run as root');
  return missing;
}

/**
 * Decides whether a suite with these unmet requirements runs: false (skip, with a warning)
 * outside CI; under CI it runs, and {@link assertMet} then fails it with the reasons.
 */
export function shouldRun(suite: string, missing: readonly string[]): boolean {
  if (missing.length === 0 || inCI) return true;
  console.warn(`skipping ${suite}: ${missing.join('; ')}`);
  return false;
}

/** Throws naming every unmet requirement (under CI a missing tool is a failure). */
export function assertMet(suite: string, missing: readonly string[]): void {
  if (missing.length > 0) throw new Error(`${suite} cannot run: ${missing.join('; ')}`);
}
