import { readdirSync, readFileSync } from 'node:fs';

/** Memory of a process tree in MiB: RSS counts shared pages once per process, PSS splits them. */
export interface TreeMemory {
  readonly rssMiB: number;
  readonly pssMiB: number;
  readonly processes: number;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** The pid and all its descendants (read from /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function rollup(pid: number): { rssKiB: number; pssKiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { rssKiB: field('Rss'), pssKiB: field('Pss') };
  } catch {
    return undefined;
  }
}

/** Sums RSS and PSS over the given processes (see {@link processTree}). */
export function memoryOf(pids: readonly number[]): TreeMemory {
  let rssKiB = 0;
  let pssKiB = 0;
  let processes = 0;
  for (const pid of pids) {
    const m = rollup(pid);
    if (!m) continue;
    rssKiB += m.rssKiB;
    pssKiB += m.pssKiB;
    processes += 1;
  }
  return { rssMiB: rssKiB / 1024, pssMiB: pssKiB / 1024, processes };
}

/** Sums RSS and PSS over the trees rooted at `roots`. */
export function treeMemory(roots: readonly number[]): TreeMemory {
  return memoryOf(roots.flatMap(processTree));
}

/**
 * Samples the trees rooted at `roots` every `intervalMs` until stopped and returns the sample
 * with the highest PSS. The trees are listed once, at the start (they are stable under load).
 */
export function sampleMemory(
  roots: readonly number[],
  intervalMs = 500,
): { stop(): TreeMemory | undefined } {
  const pids = roots.flatMap(processTree);
  let peak: TreeMemory | undefined;
  const take = (): void => {
    const m = memoryOf(pids);
    if (m.processes > 0 && (!peak || m.pssMiB > peak.pssMiB)) peak = m;
  };
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
