import type { FeatureRecord } from '@modelship/feature-schema';
import { loadModel, ModelLoadError, type ServedModel } from '@modelship/inference';
import { defineCommand } from '../args.ts';
import {
  type ComparedPrediction,
  type Comparison,
  compareClassification,
  compareRegression,
} from '../compare-data.ts';
import { failure } from '../errors.ts';
import { readDataTable } from '../infer/data.ts';
import { resolvePath, table } from '../io.ts';
import { validRecords } from '../profile-data.ts';

/** Rows per onnxruntime run. */
const BATCH = 1000;

async function load(dir: string, role: string): Promise<ServedModel> {
  try {
    return await loadModel({ dir, readProfile: false });
  } catch (error) {
    if (error instanceof ModelLoadError)
      throw failure(`the server refuses the ${role} ${dir}: ${error.message}`);
    throw error;
  }
}

async function predictAll(model: ServedModel, records: readonly FeatureRecord[]) {
  const out: ComparedPrediction[] = [];
  for (let i = 0; i < records.length; i += BATCH) {
    for (const p of await model.run(records.slice(i, i + BATCH))) {
      out.push(typeof p === 'object' ? p.label : p);
    }
  }
  return out;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

/** The human report of a comparison. */
function comparisonReport(c: Comparison): string[] {
  if (c.task === 'classification') {
    const lines = [
      `agreement: ${(c.agreement * 100).toFixed(2)} % (${c.agreeing} of ${c.rows} rows predict the same class)`,
      '',
      'confusion (rows: stable, columns: candidate):',
      table([
        ['stable \\ candidate', ...c.classes],
        ...c.confusion.map((row, i) => [c.classes[i] ?? '', ...row.map(String)]),
      ]),
    ];
    return lines;
  }
  if (c.changedRows === 0) return [`no difference: all ${c.rows} predictions are equal`];
  const q = c.quantiles;
  return [
    `${c.changedRows} of ${c.rows} predictions differ (candidate − stable)`,
    `mean ${num(c.meanDifference)}, mean absolute ${num(c.meanAbsoluteDifference)}`,
    `quantiles: min ${num(q.min)}, p05 ${num(q.p05)}, p25 ${num(q.p25)}, median ${num(q.p50)}, p75 ${num(q.p75)}, p95 ${num(q.p95)}, max ${num(q.max)}`,
    '',
    'largest changes:',
    table([
      ['line', 'stable', 'candidate', 'difference', 'record'],
      ...c.largest.map((r) => [
        String(r.line),
        num(r.stable),
        num(r.candidate),
        num(r.difference),
        JSON.stringify(r.record),
      ]),
    ]),
  ];
}

/** `modelship compare`. */
export const compareCommand = defineCommand({
  name: 'compare',
  summary: "how two model directories' predictions differ over the same rows",
  args: ['STABLE_DIR', 'CANDIDATE_DIR'],
  flags: {
    data: {
      type: 'string',
      value: 'CSV',
      required: true,
      help: "the records, with a header row naming the schema's fields",
    },
    top: {
      type: 'integer',
      value: 'N',
      min: 0,
      default: 10,
      help: 'how many of the largest changes to list',
    },
    json: { type: 'boolean', help: 'the comparison as JSON on stdout (progress stays on stderr)' },
  },
  description: `Runs two model directories (the served version and a candidate) over the same records and
reports how their predictions differ, so that a promotion is a decision on evidence.
Regression: the distribution of the differences (candidate − stable: mean, mean absolute,
quantiles) and the rows that changed most. Classification: the agreement rate and the
confusion between the two (rows: the stable model's class, columns: the candidate's).
Both directories go through the server's load checks; every row must be valid for both.`,
  examples: ['modelship compare models/charges/v1 models/charges/v2 --data recent.csv'],
  async run({ positionals: [stableArg, candidateArg], values: { data: dataArg, top, json } }, io) {
    const data = await readDataTable(resolvePath(io, dataArg));
    io.err(`reading ${data.path}: ${data.rows.length} rows`);
    const stable = await load(resolvePath(io, stableArg), 'stable model');
    try {
      const candidate = await load(resolvePath(io, candidateArg), 'candidate model');
      try {
        if (stable.task.kind !== candidate.task.kind) {
          throw failure(
            `the stable model is a ${stable.task.kind} model and the candidate a ${candidate.task.kind} model: nothing to compare`,
          );
        }
        const records = validRecords(stable, data);
        validRecords(candidate, data);
        io.err(`predicting ${records.length} rows with both models`);
        const before = await predictAll(stable, records);
        const after = await predictAll(candidate, records);
        const comparison: Comparison =
          stable.task.kind === 'classification'
            ? compareClassification(before, after, [
                ...stable.task.classes,
                ...(candidate.task.kind === 'classification' ? candidate.task.classes : []),
              ])
            : compareRegression(records, before as number[], after as number[], top);
        const models = {
          stable: { ...stable.identity, dir: stable.dir },
          candidate: { ...candidate.identity, dir: candidate.dir },
        };
        if (json) {
          io.out(JSON.stringify({ models, data: data.path, ...comparison }, null, 2));
        } else {
          io.out(
            `stable ${models.stable.name} ${models.stable.version} (${models.stable.dir}) vs candidate ${models.candidate.name} ${models.candidate.version} (${models.candidate.dir}), ${comparison.rows} rows of ${data.path}`,
          );
          for (const line of comparisonReport(comparison)) io.out(line);
        }
      } finally {
        await candidate.release();
      }
    } finally {
      await stable.release();
    }
    return 0;
  },
});
