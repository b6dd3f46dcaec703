import {
  buildProfile,
  DEFAULT_BACKGROUND_ROWS,
  type FeatureRecord,
  type Profile,
  type ProfiledPrediction,
} from '@modelship/feature-schema';
import type { ServedModel } from '@modelship/inference';
import type { IntegerFlag } from './args.ts';
import { failure } from './errors.ts';
import type { DataTable } from './infer/data.ts';

/** `--background-rows N` of `init` and `profile`, declared once for both. */
export const backgroundRowsFlag = {
  type: 'integer',
  value: 'N',
  default: DEFAULT_BACKGROUND_ROWS,
  min: 0,
  max: 100_000,
  help: 'training rows kept in profile.json as the background of /explain (they ship with the model; 0 keeps none)',
} as const satisfies IntegerFlag;

/** What `init` and `profile` say when they keep training rows in profile.json. */
export function backgroundNotice(rows: number): string {
  return rows > 0
    ? `keeping ${rows} training rows in profile.json as the background of /explain: this training data ships with the model (--background-rows 0 keeps none)`
    : 'keeping no training rows in profile.json (--background-rows 0): /explain will answer 409';
}

/** Rows per onnxruntime run while profiling. */
const BATCH = 1000;

/**
 * The training profile of a model from its data (`profile.json`): each CSV row validated with
 * the model's schema (numbers parsed, levels as written), the model run over every row for
 * the prediction's distribution, then `buildProfile`, keeping `backgroundRows` of the rows.
 *
 * @throws {CliError} (exit 1) naming the first rows and fields the schema refuses.
 */
export async function profileFromData(
  model: ServedModel,
  table: DataTable,
  backgroundRows: number = DEFAULT_BACKGROUND_ROWS,
): Promise<Profile> {
  const { schema, compiled } = model;
  const records = validRecords(model, table);
  const predictions: ProfiledPrediction[] = [];
  for (let i = 0; i < records.length; i += BATCH) {
    for (const p of await model.run(records.slice(i, i + BATCH))) {
      predictions.push(typeof p === 'object' ? p.label : p);
    }
  }
  const classes = model.task.kind === 'classification' ? model.task.classes : undefined;
  return buildProfile(schema, records, predictions, {
    fingerprint: compiled.fingerprint,
    backgroundRows,
    ...(classes ? { classes } : {}),
  });
}

/**
 * Each CSV row validated with the model's schema (numbers parsed, levels as written), in order.
 *
 * @throws {CliError} (exit 1) naming the first rows and fields the schema refuses.
 */
export function validRecords(
  model: Pick<ServedModel, 'schema' | 'compiled'>,
  table: DataTable,
): FeatureRecord[] {
  const { schema, compiled } = model;
  const records: FeatureRecord[] = [];
  const problems: string[] = [];
  table.rows.forEach((row, i) => {
    const raw: Record<string, unknown> = {};
    for (const field of schema.fields) {
      const cell = row[field.name];
      raw[field.name] =
        field.kind === 'numeric' && cell !== undefined && cell !== '' ? Number(cell) : cell;
    }
    const result = compiled.validate(raw);
    // +2: the header is line 1, rows start at line 2
    if (result.ok) records.push(result.value);
    else
      problems.push(
        ...result.issues.map((issue) => `line ${i + 2}, ${issue.path}: ${issue.message}`),
      );
  });
  if (problems.length) {
    throw failure(
      `${table.path}: ${problems.length} value(s) the schema refuses, e.g. ${problems.slice(0, 5).join('; ')}`,
    );
  }
  return records;
}

/** `profile.json`'s text. */
export const profileJson = (profile: Profile): string => `${JSON.stringify(profile, null, 2)}\n`;
