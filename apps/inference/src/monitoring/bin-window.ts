import type { MonitorWindow } from '@modelship/contract';

/**
 * Counts of records per bin over a sliding window. One record is `width` bin indexes (one per
 * field, plus the prediction's) into `counts`. Allocation-free after construction.
 */
export interface BinWindow {
  /** Records per bin within the window (a view: read it, never write it). */
  readonly counts: Float64Array;
  /** Adds one record's bin indexes (`width` of them). */
  add(bins: Uint32Array, nowMs: number): void;
  /** Expires what has left a duration window by `nowMs` (a no-op for a record window). */
  advance(nowMs: number): void;
  /** Records within the window. */
  records(): number;
  /** What the window covers, for people: `the last 10000 records`, `the last 15m`. */
  readonly description: string;
}

/** The last `capacity` records: a ring of their bin indexes, so the oldest can be taken out. */
function recordWindow(totalBins: number, width: number, capacity: number): BinWindow {
  const counts = new Float64Array(totalBins);
  const ring =
    totalBins <= 0xffff ? new Uint16Array(capacity * width) : new Uint32Array(capacity * width);
  let head = 0;
  let filled = 0;
  return {
    counts,
    description: `the last ${capacity} records`,
    add(bins) {
      const base = head * width;
      if (filled === capacity) {
        for (let j = 0; j < width; j++) {
          const old = ring[base + j] as number;
          counts[old] = (counts[old] as number) - 1;
        }
      } else {
        filled++;
      }
      for (let j = 0; j < width; j++) {
        const bin = bins[j] as number;
        ring[base + j] = bin;
        counts[bin] = (counts[bin] as number) + 1;
      }
      head = head + 1 === capacity ? 0 : head + 1;
    },
    advance() {},
    records: () => filled,
  };
}

/** Slices of a duration window: a record leaves it at most 1/SLICES of the duration late. */
const SLICES = 60;

/** The records of the last `seconds`: per-slice counts, a slice expiring as a whole. */
function durationWindow(totalBins: number, seconds: number, label: string): BinWindow {
  const counts = new Float64Array(totalBins);
  const slices = new Float64Array(SLICES * totalBins);
  const sliceRecords = new Float64Array(SLICES);
  const sliceMs = (seconds * 1000) / SLICES;
  let current = -1;
  let total = 0;
  const advance = (nowMs: number) => {
    const epoch = Math.floor(nowMs / sliceMs);
    if (epoch <= current) return;
    const expired = current < 0 ? 0 : Math.min(epoch - current, SLICES);
    for (let k = 1; k <= expired; k++) {
      const slot = (current + k) % SLICES;
      const base = slot * totalBins;
      for (let b = 0; b < totalBins; b++) {
        counts[b] = (counts[b] as number) - (slices[base + b] as number);
        slices[base + b] = 0;
      }
      total -= sliceRecords[slot] as number;
      sliceRecords[slot] = 0;
    }
    current = epoch;
  };
  return {
    counts,
    description: `the last ${label}`,
    advance,
    add(bins, nowMs) {
      advance(nowMs);
      const slot = current % SLICES;
      const base = slot * totalBins;
      for (let j = 0; j < bins.length; j++) {
        const bin = bins[j] as number;
        slices[base + bin] = (slices[base + bin] as number) + 1;
        counts[bin] = (counts[bin] as number) + 1;
      }
      sliceRecords[slot] = (sliceRecords[slot] as number) + 1;
      total += 1;
    },
    records: () => total,
  };
}

/** A duration in seconds as people write it: `90s`, `15m`, `1h`. */
function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * The window of `MONITOR_WINDOW`: the last N records, or the records of the last duration.
 * `width` bin indexes per record, into `totalBins` counts.
 */
export function createBinWindow(
  totalBins: number,
  width: number,
  window: MonitorWindow,
): BinWindow {
  return window.kind === 'records'
    ? recordWindow(totalBins, width, window.records)
    : durationWindow(totalBins, window.seconds, formatSeconds(window.seconds));
}
