import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from './memory.ts';

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on common kernels). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond =
        Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far (0 once it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/PID/stat (utime, stime), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return 0;
  }
}

/**
 * Measures the CPU time the trees rooted at `roots` use between `start()` and `stop()`:
 * a noise-resistant cost figure on a shared machine (CPU per request does not depend on
 * how much CPU other processes left over, throughput does).
 */
export function cpuMeter(roots: readonly number[]): { stop(): number } {
  const pids = roots.flatMap(processTree);
  const before = pids.map(processCpuSeconds);
  return {
    stop: () => pids.reduce((sum, pid, i) => sum + processCpuSeconds(pid) - (before[i] ?? 0), 0),
  };
}
