import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The reaper's script (plain JavaScript, run by node without a loader). */
const reaperScript = fileURLToPath(new URL('./reaper-process.mjs', import.meta.url));

/**
 * Start time of a process (field 22 of `/proc/<pid>/stat`, clock ticks since boot), which
 * tells a process apart from a later one that got the same pid. `undefined` once it is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** SIGKILL to a whole process group; ESRCH (already gone) is fine. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const groups = new Set<number>();
const dirs = new Set<string>();
let reaper: ChildProcess | undefined;

function tell(line: string): void {
  if (!reaper) {
    // Its own process group, so a Ctrl-C or a CI runner's signal to the test's tree does not
    // reach it before it has done its job; unref'd, so it never keeps this process alive.
    reaper = spawn(process.execPath, [reaperScript], {
      stdio: ['pipe', 'ignore', 'inherit'],
      detached: true,
    });
    reaper.on('error', () => {});
    reaper.stdin?.on('error', () => {});
    reaper.unref();
    (reaper.stdin as { unref?: () => void } | null)?.unref?.();
    // A normal exit of this process: clean up at once rather than by the reaper's hand.
    process.once('exit', () => {
      for (const group of groups) killGroup(group);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  reaper.stdin?.write(`${line}\n`);
}

/**
 * Everything a local pod starts must be gone when the test process ends, however it ends.
 * Test runners end their worker processes with SIGTERM and then SIGKILL (vitest's `forks`
 * pool does so after every file), and a killed process runs no `exit` handler; container
 * processes lead their own process groups, so no signal to the worker reaches them either.
 * Hence a reaper: a detached helper process, started once per test process, holding the read
 * end of a pipe from it. When the pipe closes (this process is gone), the reaper kills every
 * process group still guarded and removes every folder still guarded (see reaper-process.mjs).
 */
export const reaperGuard = {
  /** Guards a process group (led by `pgid`) until {@link reaperGuard.releaseGroup}. */
  group(pgid: number): void {
    if (!(pgid > 1)) return;
    groups.add(pgid);
    tell(`+g ${pgid} ${processStartTime(pgid) ?? ''}`);
  },
  /** The group is gone: forget it (its number may be reused by someone else's process). */
  releaseGroup(pgid: number): void {
    if (groups.delete(pgid)) tell(`-g ${pgid}`);
  },
  /** Guards a temporary folder until {@link reaperGuard.releaseDir}. */
  dir(path: string): void {
    dirs.add(path);
    tell(`+d ${path}`);
  },
  /** The folder is removed (or kept on purpose): forget it. */
  releaseDir(path: string): void {
    if (dirs.delete(path)) tell(`-d ${path}`);
  },
  /** The reaper's pid, once started (for tests). */
  get pid(): number | undefined {
    return reaper?.pid;
  },
};
