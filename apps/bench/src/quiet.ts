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

/** Quiet: fewer cores busy than this, over a window this long; a run waits this long at most. */
export const QUIET_MAX_BUSY_CORES = 0.15;
export const QUIET_WINDOW_MS = 200;
export const QUIET_TIMEOUT_MS = 5000;

/** Options for {@link waitForQuiet}. */
export interface QuietOptions {
  /** Number of CPUs (the busy share is reported in cores). */
  readonly cores: number;
  /** Quiet: fewer cores than this used over the window. @default QUIET_MAX_BUSY_CORES */
  readonly maxBusyCores?: number;
  /** Length of the window that must be quiet. @default QUIET_WINDOW_MS */
  readonly windowMs?: number;
  /** Give up (and report it) after this long. @default QUIET_TIMEOUT_MS */
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
  const {
    cores,
    maxBusyCores = QUIET_MAX_BUSY_CORES,
    windowMs = QUIET_WINDOW_MS,
    timeoutMs = QUIET_TIMEOUT_MS,
  } = options;
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
