import type { MonitorWindow } from '@modelship/contract';
import {
  binLabels,
  type ClassLabel,
  type FeatureRecord,
  type ModelSchema,
  numericBin,
  type Profile,
  psi,
  psiMinRecords,
} from '@modelship/feature-schema';
import type { Prediction } from '../model/task.ts';
import { type BinWindow, createBinWindow } from './bin-window.ts';

/** One monitored distribution: a field, or the prediction. */
export interface MonitoredDistribution {
  /** The field's name, or `prediction`. */
  readonly name: string;
  /** The bins' labels: `[18,25)`-style edges, levels or classes. */
  readonly bins: readonly string[];
  /** The training share of each bin (the profile). */
  readonly expected: Float64Array;
  /** Records per bin within the window (a view into the window's counts). */
  readonly live: Float64Array;
  /** Records per bin since the start (a view into the cumulative counts). */
  readonly total: Float64Array;
  /**
   * Records the window must hold before PSI is reported: enough for the bins of every
   * distribution of the monitor, so that all its PSIs appear together.
   */
  readonly minRecords: number;
}

/**
 * The PSI of a distribution's window against its profile, or NaN while the window holds fewer
 * records than its bins need ({@link MonitoredDistribution.minRecords}).
 */
export function windowPsi(d: MonitoredDistribution): number {
  let records = 0;
  for (let i = 0; i < d.live.length; i++) records += d.live[i] as number;
  return records < d.minRecords ? Number.NaN : psi(d.expected, d.live);
}

/** Counts each valid record and prediction into the profile's bins; computes PSI on demand. */
export interface DriftMonitor {
  /** The schema's fields, in schema order. */
  readonly fields: readonly MonitoredDistribution[];
  readonly prediction: MonitoredDistribution;
  /** What the window covers, e.g. `the last 10000 records`. */
  readonly window: string;
  /** Training rows the profile was made from. */
  readonly profileRows: number;
  /** Counts validated records and their predictions (same order). No allocation per record. */
  observe(records: readonly FeatureRecord[], predictions: readonly Prediction[]): void;
  /** Records in the window now (expiring a duration window's old slices first). */
  windowRecords(): number;
  /** The PSI of a distribution's window against its profile ({@link windowPsi}). */
  psi(distribution: MonitoredDistribution): number;
}

/** How a value finds its bin: binary search over edges, or a level/class lookup. */
type BinOf = (value: number | string) => number;

function numericBinOf(edges: readonly number[]): BinOf {
  const sorted = Float64Array.from(edges);
  return (value) => numericBin(sorted, value as number);
}

function lookupBinOf(keys: readonly ClassLabel[]): BinOf {
  const index = new Map<ClassLabel, number>(keys.map((k, i) => [k, i]));
  // Validated values always have a bin; anything else (an impossible class) counts in bin 0.
  return (value) => index.get(value) ?? 0;
}

/** Options of {@link createDriftMonitor}. */
export interface DriftMonitorOptions {
  readonly schema: ModelSchema;
  /** The model directory's `profile.json`, checked against the schema by the loader. */
  readonly profile: Profile;
  readonly window: MonitorWindow;
  /** Milliseconds, monotonic. @default performance.now */
  readonly now?: () => number;
}

/**
 * The drift monitor of a model with a training profile. Every distribution's bins are laid
 * out in one array (field after field, then the prediction), so that a record's bookkeeping
 * is one bin lookup per field (a binary search over at most 9 edges, or a Map lookup) and a
 * few array increments: the ring of a record window, or the current slice of a duration
 * window. PSI is computed when asked (at a scrape), not per record.
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  const { schema, profile, window, now = () => performance.now() } = options;
  const specs: { name: string; bins: string[]; expected: readonly number[]; binOf: BinOf }[] = [];
  for (const field of schema.fields) {
    const p = profile.fields[field.name];
    if (!p) throw new Error(`profile.json has no profile of field '${field.name}'`);
    specs.push(
      p.kind === 'numeric'
        ? {
            name: field.name,
            bins: binLabels(p.edges),
            expected: p.shares,
            binOf: numericBinOf(p.edges),
          }
        : {
            name: field.name,
            bins: [...p.levels],
            expected: p.shares,
            binOf: lookupBinOf(p.levels),
          },
    );
  }
  const pp = profile.prediction;
  specs.push(
    pp.kind === 'numeric'
      ? {
          name: 'prediction',
          bins: binLabels(pp.edges),
          expected: pp.shares,
          binOf: numericBinOf(pp.edges),
        }
      : {
          name: 'prediction',
          bins: pp.classes.map(String),
          expected: pp.shares,
          binOf: lookupBinOf(pp.classes),
        },
  );

  const offsets = new Uint32Array(specs.length);
  let totalBins = 0;
  specs.forEach((s, i) => {
    offsets[i] = totalBins;
    totalBins += s.bins.length;
  });
  const bw: BinWindow = createBinWindow(totalBins, specs.length, window);
  const minRecords = Math.max(...specs.map((s) => psiMinRecords(s.expected)));
  const cumulative = new Float64Array(totalBins);
  const distributions: MonitoredDistribution[] = specs.map((s, i) => {
    const start = offsets[i] as number;
    const end = start + s.bins.length;
    return {
      name: s.name,
      bins: s.bins,
      expected: Float64Array.from(s.expected),
      live: bw.counts.subarray(start, end),
      total: cumulative.subarray(start, end),
      minRecords,
    };
  });
  const fieldNames = specs.slice(0, -1).map((s) => s.name);
  const binOfs = specs.map((s) => s.binOf);
  const predictionBinOf = binOfs.at(-1) as BinOf;
  const predictionOffset = offsets[specs.length - 1] as number;
  const fieldCount = fieldNames.length;
  const scratch = new Uint32Array(specs.length);

  return {
    fields: distributions.slice(0, -1),
    prediction: distributions.at(-1) as MonitoredDistribution,
    window: bw.description,
    profileRows: profile.rows,
    observe(records, predictions) {
      const t = now();
      for (let r = 0; r < records.length; r++) {
        const record = records[r] as FeatureRecord;
        for (let j = 0; j < fieldCount; j++) {
          const bin =
            (offsets[j] as number) +
            (binOfs[j] as BinOf)(record[fieldNames[j] as string] as number | string);
          scratch[j] = bin;
          cumulative[bin] = (cumulative[bin] as number) + 1;
        }
        const p = predictions[r] as Prediction;
        const bin = predictionOffset + predictionBinOf(typeof p === 'object' ? p.label : p);
        scratch[fieldCount] = bin;
        cumulative[bin] = (cumulative[bin] as number) + 1;
        bw.add(scratch, t);
      }
    },
    windowRecords() {
      bw.advance(now());
      return bw.records();
    },
    psi: windowPsi,
  };
}
