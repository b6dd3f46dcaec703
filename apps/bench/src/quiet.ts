import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Busy and total CPU time of the whole machine so far, in clock ticks (`/proc/stat`). */
export interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

/**
 * Parses the aggregate `cpu` line of `/proc/stat`. Busy is everything but idle and iowait;
 * guest time is already inside user and nice, so it is not added twice.
 */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate "cpu" line');
  // user nice system idle iowait irq softirq steal
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((v) => !Number.isFinite(v))) {
    throw new Error(`/proc/stat's cpu line is not understood: "${line}"`);
  }
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Options for {@link waitForQuiet}. */
export interface QuietOptions {
  /** Number of CPUs (the busy share is reported in cores). */
  readonly cores: number;
  /** Quiet means the machine used less than this many cores over the window. @default 0.15 */
  readonly maxBusyCores?: number;
  /** Length of the window that must be quiet. @default 200 */
  readonly windowMs?: number;
  /** Give up (and report it) after this long. @default 5000 */
  readonly timeoutMs?: number;
  /** Reads the machine's CPU ticks; `/proc/stat` unless replaced in tests. */
  readonly read?: () => CpuTicks;
}

/** What {@link waitForQuiet} saw. */
export interface QuietResult {
  /** Milliseconds spent waiting. */
  readonly waitedMs: number;
  /** Cores the machine used during the last window. */
  readonly busyCores: number;
  /** False when `timeoutMs` passed before a quiet window. */
  readonly quiet: boolean;
}

const readProcStat = (): CpuTicks => parseProcStat(readFileSync('/proc/stat', 'utf8'));

/**
 * Waits until the whole machine has been nearly idle for one window, so that a measured run
 * does not start while the previous one's leftovers still burn CPU (a slow stack working
 * through the requests queued at 128 connections after wrk stopped, nginx draining, a
 * garbage collection). Measured from `/proc/stat`, every process counted.
 */
export async function waitForQuiet(options: QuietOptions): Promise<QuietResult> {
  const { cores, maxBusyCores = 0.15, windowMs = 200, timeoutMs = 5000 } = options;
  const read = options.read ?? readProcStat;
  const started = performance.now();
  let busyCores = Number.POSITIVE_INFINITY;
  for (;;) {
    const before = read();
    await sleep(windowMs);
    const after = read();
    const total = after.total - before.total;
    // Ticks of all CPUs: the busy share of that, times the cores, is cores busy on average.
    busyCores = total > 0 ? ((after.busy - before.busy) / total) * cores : 0;
    const waitedMs = performance.now() - started;
    if (busyCores < maxBusyCores) return { waitedMs, busyCores, quiet: true };
    if (waitedMs >= timeoutMs) return { waitedMs, busyCores, quiet: false };
  }
}
