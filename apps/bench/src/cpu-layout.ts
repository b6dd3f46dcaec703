import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { binaries } from './paths.ts';

const run = promisify(execFile);

/**
 * Where the run's processes may execute. `shared`: every process on every CPU, the load
 * generator among the servers. `apart`: the load generator (wrk, the open-loop client) on the
 * last CPU, the servers and their proxies on the others, so that the load generator's CPU,
 * which grows with the rate a stack answers, is not taken from the stack. `auto`: `apart` when
 * the servers keep two CPUs or more (nginx and the service each one), else `shared`: on two
 * CPUs, `apart` leaves nginx and the service one core to share, which then caps them.
 */
export const CPU_LAYOUTS = ['auto', 'shared', 'apart'] as const;
export type CpuLayout = (typeof CPU_LAYOUTS)[number];

/** The CPUs of each side of an `apart` run. */
export interface CpuSplit {
  readonly servers: readonly number[];
  readonly load: readonly number[];
}

/** Parses a kernel CPU list (`0-3,6`), as in `Cpus_allowed_list`. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`not a CPU list: "${list}"`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Fewest CPUs with which `auto` sets the load generator apart. */
const AUTO_APART_MIN_CPUS = 3;

/** The layout `auto` means with `cpus` allowed; other layouts as they are. */
export function resolveLayout(layout: CpuLayout, cpus: readonly number[]): 'shared' | 'apart' {
  if (layout !== 'auto') return layout;
  return cpus.length >= AUTO_APART_MIN_CPUS ? 'apart' : 'shared';
}

/**
 * Splits `cpus` (those this process may use) for an `apart` run: the last one for the load
 * generator, the rest for the servers; undefined with fewer than two, where nothing can be
 * set apart.
 */
export function splitCpus(cpus: readonly number[]): CpuSplit | undefined {
  const sorted = [...cpus].sort((a, b) => a - b);
  const load = sorted.pop();
  if (load === undefined || sorted.length === 0) return undefined;
  return { servers: sorted, load: [load] };
}

/** The CPUs a process may run on (its affinity, which `taskset` or a cgroup may narrow). */
export async function allowedCpus(pid: number | 'self' = 'self'): Promise<number[]> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list`);
  return parseCpuList(list);
}

/**
 * Moves process `pid` (every thread) onto `cpus`; the processes it starts from then on inherit
 * them, those it started before keep theirs.
 */
export async function moveTo(pid: number, cpus: readonly number[]): Promise<void> {
  await run(binaries.taskset, ['--all-tasks', '--pid', '--cpu-list', cpus.join(','), String(pid)]);
}

/** How a report states an `apart` run's split, or the shared layout when there is none. */
export function describeLayout(split?: CpuSplit): string {
  if (!split) {
    return 'every process on every CPU, the load generator among the servers';
  }
  const cpus = (list: readonly number[]): string =>
    `CPU${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
  return `servers and their nginx on ${cpus(split.servers)}, the load generator on ${cpus(split.load)}`;
}
