import { readdirSync, readFileSync } from 'node:fs';
import type { LocalPod } from '../pod/local-pod.ts';

/** One process seen on this machine, told apart from a later one with the same pid. */
export interface SeenProcess {
  readonly pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  readonly startTime: string;
  readonly pgid: number;
  readonly ppid: number;
  readonly command: string;
}

/** Reads /proc/<pid>; `undefined` if the process is gone or is a zombie (it runs no more). */
export function seeProcess(pid: number): SeenProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return {
      pid,
      startTime: fields[19] ?? '',
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      command,
    };
  } catch {
    return undefined;
  }
}

/** Every live process on this machine (Linux /proc). */
function allProcesses(): SeenProcess[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => seeProcess(Number(name)))
    .filter((seen): seen is SeenProcess => seen !== undefined);
}

/** Every live process in the given process groups. */
export function processesInGroups(pgids: readonly number[]): SeenProcess[] {
  const wanted = new Set(pgids);
  return allProcesses().filter((seen) => wanted.has(seen.pgid));
}

/**
 * Every live process in the groups led by children of `ppid` (by default this process),
 * except the listed pids' groups: what a test process started (containers with nginx's
 * workers, preStop hooks).
 */
export function startedBy(
  ppid: number = process.pid,
  except: readonly number[] = [],
): SeenProcess[] {
  const leaders = allProcesses()
    .filter((seen) => seen.ppid === ppid && seen.pgid === seen.pid && !except.includes(seen.pid))
    .map((seen) => seen.pid);
  return processesInGroups(leaders);
}

/**
 * Every process of a pod right now: each container's process group (a container's main
 * process leads one), so nginx's workers are included.
 */
export function podProcesses(pod: LocalPod): SeenProcess[] {
  return processesInGroups([...pod.containers.values()].map((c) => c.process.pid));
}

/** Those of `seen` still running (same pid and start time, not a zombie). */
export function stillRunning(seen: readonly SeenProcess[]): SeenProcess[] {
  return seen.filter((process) => seeProcess(process.pid)?.startTime === process.startTime);
}

/**
 * Polls until none of `seen` runs any more or `timeoutMs` passes; returns those still running
 * (empty when all are gone). For a process killed by someone else (another process's reaper),
 * whose exit this process cannot await.
 */
export async function waitUntilGone(
  seen: readonly SeenProcess[],
  timeoutMs = 10_000,
): Promise<SeenProcess[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = stillRunning(seen);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
