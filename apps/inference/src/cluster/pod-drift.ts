// The drift window of the whole pod (WORKERS > 1): each worker counts the records it served in
// its own window; bin counts add up, so the pod's window is their sum, and its PSI is computed
// over that sum (not averaged over the workers' PSIs).
import {
  type DriftMonitor,
  type MonitoredDistribution,
  windowPsi,
} from '../monitoring/drift-monitor.ts';
import type { DriftView } from '../monitoring/page.ts';

/** One worker's window, as it sends it to the others. */
export interface DriftSnapshot {
  /** The model version the window belongs to (windows of different versions never add). */
  readonly fingerprint: string;
  readonly records: number;
  /** Records per bin, per distribution: the fields in schema order, then the prediction. */
  readonly live: readonly (readonly number[])[];
}

/** The window of a worker's drift monitor now (a duration window expires old slices first). */
export function driftSnapshot(drift: DriftMonitor, fingerprint: string): DriftSnapshot {
  const records = drift.windowRecords();
  return {
    fingerprint,
    records,
    live: [...drift.fields, drift.prediction].map((d) => Array.from(d.live)),
  };
}

/** The pod's drift: the workers' windows added up. */
export interface PodDrift extends DriftView {
  /** Windows added (workers serving the same version and answering). */
  readonly processes: number;
  /** Workers left out: serving another version, without a window, or not answering. */
  readonly excluded: number;
}

/**
 * Adds up the windows in `snapshots` that belong to `fingerprint` (the asking worker's served
 * version) and have `local`'s bins; `local` gives the structure (names, bins, training shares).
 * `others` counts workers that sent no window at all.
 */
export function mergeDrift(
  local: DriftMonitor,
  fingerprint: string,
  snapshots: readonly DriftSnapshot[],
  others = 0,
): PodDrift {
  const distributions = [...local.fields, local.prediction];
  const fits = (s: DriftSnapshot) =>
    s.fingerprint === fingerprint &&
    s.live.length === distributions.length &&
    s.live.every((counts, i) => counts.length === distributions[i]?.bins.length);
  const used = snapshots.filter(fits);
  const merged: MonitoredDistribution[] = distributions.map((d, i) => {
    const live = new Float64Array(d.bins.length);
    for (const s of used) {
      const counts = s.live[i] as readonly number[];
      for (let b = 0; b < live.length; b++) live[b] = (live[b] as number) + (counts[b] as number);
    }
    return { ...d, live, total: live };
  });
  const records = used.reduce((sum, s) => sum + s.records, 0);
  const excluded = snapshots.length - used.length + others;
  const across = used.length === 1 ? '' : ` of each of ${used.length} service processes`;
  const left =
    excluded === 0
      ? ''
      : ` (${excluded} other process${excluded === 1 ? '' : 'es'} not included: another model version, or no answer)`;
  return {
    fields: merged.slice(0, -1),
    prediction: merged.at(-1) as MonitoredDistribution,
    window: `${local.window}${across}${left}`,
    profileRows: local.profileRows,
    windowRecords: () => records,
    psi: windowPsi,
    processes: used.length,
    excluded,
  };
}
