import type { NumericProfile, Profile } from './profile-schema.ts';
import type { ClassLabel, FeatureRecord, ModelSchema } from './types.ts';

/** A prediction as profiled: a number (regression) or a class label (classification). */
export type ProfiledPrediction = number | ClassLabel;

/** Options of {@link buildProfile}. */
export interface BuildProfileOptions {
  /** Quantiles used as inner bin edges. @default the deciles 0.1 ... 0.9 */
  readonly quantiles?: readonly number[];
  /** A classifier's classes, in the model's order (their shares are listed in this order). */
  readonly classes?: readonly ClassLabel[];
  /** The schema's fingerprint. @default computed by the caller's `compileSchema` */
  readonly fingerprint: string;
  /** Training rows kept as `background` (see {@link backgroundSample}); 0 keeps none. @default 0 */
  readonly backgroundRows?: number;
}

/** Training rows `modelship init --data` and `modelship profile` keep as explanations' background. */
export const DEFAULT_BACKGROUND_ROWS = 200;

/**
 * A deterministic sample of `n` rows, evenly spaced through the data (every row when it has
 * no more than `n`): the same data always gives the same background.
 */
export function backgroundSample<T>(rows: readonly T[], n: number): T[] {
  if (n >= rows.length) return [...rows];
  return Array.from({ length: n }, (_, i) => rows[Math.floor((i * rows.length) / n)] as T);
}

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** 6 significant digits: stable text, and edges a reader can check. */
const roundEdge = (x: number) => Number(x.toPrecision(6));
const roundShare = (x: number) => Math.round(x * 1e6) / 1e6;

/** The bin of `x` among inner `edges` (ascending): the number of edges <= x. */
export function numericBin(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Deciles (or `quantiles`) of `values` as inner edges, every bin holding training rows. */
export function numericProfile(
  values: readonly number[],
  quantiles: readonly number[] = DECILES,
): NumericProfile {
  if (values.length === 0) throw new RangeError('cannot profile an empty column');
  const sorted = Float64Array.from(values).sort();
  const min = sorted[0] as number;
  const edges: number[] = [];
  for (const q of quantiles) {
    const edge = roundEdge(
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number,
    );
    // An edge at or below the minimum would leave the first bin empty; ties collapse.
    if (edge > min && (edges.length === 0 || edge > (edges.at(-1) as number))) edges.push(edge);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[numericBin(edges, v)] = (counts[numericBin(edges, v)] ?? 0) + 1;
  return { kind: 'numeric', edges, shares: counts.map((c) => roundShare(c / values.length)) };
}

function shares<T>(values: readonly T[], categories: readonly T[]): number[] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length).fill(0);
  for (const v of values) {
    const i = index.get(v);
    if (i === undefined)
      throw new RangeError(`${JSON.stringify(v)} is not one of ${categories.join(', ')}`);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((c) => roundShare(c / values.length));
}

/**
 * The training profile of a model (`profile.json`): per numeric field its deciles as bin
 * edges (first and last bins open-ended) and the share of rows per bin; per categorical field
 * the share of each level; the same for the model's predictions on those rows (value bins for
 * regression, class shares for classification); the number of rows.
 *
 * @example
 * const profile = buildProfile(schema, records, predictions, { fingerprint: compiled.fingerprint });
 */
export function buildProfile(
  schema: ModelSchema,
  records: readonly FeatureRecord[],
  predictions: readonly ProfiledPrediction[],
  options: BuildProfileOptions,
): Profile {
  if (records.length === 0) throw new RangeError('cannot profile zero rows');
  if (predictions.length !== records.length) {
    throw new RangeError(`${predictions.length} predictions for ${records.length} rows`);
  }
  const { quantiles = DECILES, classes, fingerprint, backgroundRows = 0 } = options;
  const fields: Profile['fields'] = {};
  for (const f of schema.fields) {
    const column = records.map((r) => r[f.name]);
    fields[f.name] =
      f.kind === 'numeric'
        ? numericProfile(column as number[], quantiles)
        : {
            kind: 'categorical',
            levels: [...f.levels],
            shares: shares(column as string[], f.levels),
          };
  }
  const prediction: Profile['prediction'] =
    schema.task === 'classification'
      ? {
          kind: 'classes',
          classes: [...(classes ?? schema.output.classes ?? [])] as string[] | number[],
          shares: shares(predictions as ClassLabel[], classes ?? schema.output.classes ?? []),
        }
      : numericProfile(predictions as number[], quantiles);
  return {
    profileVersion: 1,
    schemaFingerprint: fingerprint,
    rows: records.length,
    fields,
    ...(backgroundRows > 0 ? { background: backgroundSample(records, backgroundRows) } : {}),
    prediction,
  };
}

/** Shares below this count as this (an empty bin would make the index infinite). */
export const PSI_FLOOR = 1e-4;

/**
 * The population stability index of `actual` counts against `expected` shares:
 * `Σ (a − e) · ln(a / e)` over the bins, shares floored at {@link PSI_FLOOR}. Below 0.1 is
 * usually read as stable, above 0.25 as a shift. NaN when `actual` counts nothing.
 * Allocation-free, so that it can run on every scrape.
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < actual.length; i++) total += actual[i] as number;
  if (total === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] as number, PSI_FLOOR);
    const a = Math.max((actual[i] as number) / total, PSI_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** The least count each bin must expect before a PSI is read (the chi-square rule of thumb). */
export const PSI_MIN_EXPECTED_COUNT = 5;

/**
 * Records a window must hold before the PSI against these training shares means anything:
 * enough that every bin with a training share expects at least {@link PSI_MIN_EXPECTED_COUNT}.
 * With fewer, a few records make the index large by chance alone.
 */
export function psiMinRecords(expected: ArrayLike<number>): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < expected.length; i++) {
    const share = expected[i] as number;
    if (share > 0 && share < least) least = share;
  }
  if (least === Number.POSITIVE_INFINITY) return PSI_MIN_EXPECTED_COUNT;
  // The epsilon keeps 5 / 0.05 (100.00000000000001 in floating point) at 100.
  return Math.ceil(PSI_MIN_EXPECTED_COUNT / least - 1e-9);
}

/** Labels for a numeric profile's bins: `(-Inf,18)`, `[18,25)`, ..., `[60,+Inf)`. */
export function binLabels(edges: readonly number[]): string[] {
  const bounds = ['-Inf', ...edges.map(String), '+Inf'];
  return bounds.slice(0, -1).map((lo, i) => `${i === 0 ? '(' : '['}${lo},${bounds[i + 1]})`);
}

/**
 * What does not fit between a profile and a schema: another fingerprint, missing or extra
 * fields, a field profiled as the other kind, other levels, a prediction of the wrong kind,
 * background rows that are not records of the schema.
 * Empty when the profile can be used.
 */
export function profileMismatches(
  profile: Profile,
  schema: ModelSchema,
  fingerprint: string,
): string[] {
  const problems: string[] = [];
  if (profile.schemaFingerprint !== fingerprint) {
    problems.push(`made for schema ${profile.schemaFingerprint}, not ${fingerprint}`);
  }
  for (const f of schema.fields) {
    const p = profile.fields[f.name];
    if (!p) problems.push(`no profile of field '${f.name}'`);
    else if (p.kind !== f.kind)
      problems.push(`field '${f.name}' is ${f.kind}, profiled as ${p.kind}`);
    else if (
      p.kind === 'categorical' &&
      f.kind === 'categorical' &&
      p.levels.join('\n') !== f.levels.join('\n')
    ) {
      problems.push(`field '${f.name}': profiled levels differ from the schema's`);
    }
  }
  for (const key of Object.keys(profile.fields)) {
    if (!schema.fields.some((f) => f.name === key))
      problems.push(`profile of unknown field '${key}'`);
  }
  const bad = (profile.background ?? []).flatMap((row, i) =>
    schema.fields
      .filter((f) =>
        f.kind === 'categorical'
          ? !f.levels.includes(String(row[f.name]))
          : typeof row[f.name] !== 'number',
      )
      .map((f) => `background row ${i}: field '${f.name}' is ${JSON.stringify(row[f.name])}`),
  );
  problems.push(...bad.slice(0, 3));
  const expected = schema.task === 'classification' ? 'classes' : 'numeric';
  if (profile.prediction.kind !== expected) {
    problems.push(
      `prediction profiled as ${profile.prediction.kind}, the model's task needs ${expected}`,
    );
  }
  return problems;
}
