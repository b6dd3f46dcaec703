import {
  buildProfile,
  DEFAULT_BACKGROUND_ROWS,
  FINGERPRINT_METADATA_KEY,
  parseSchema,
  schemaFingerprint,
} from '@modelship/feature-schema';
import { predictedVsActualSvg } from './card/chart.ts';
import { modelCard } from './card/markdown.ts';
import {
  defaultTrainingConfig,
  qualityFloor,
  replacedAppReference,
  type TrainingConfig,
} from './config.ts';
import { dataSha256, loadInsuranceRows } from './data.ts';
import {
  crossValidate,
  type Dataset,
  type FoldResult,
  fitAndPredict,
  repeatedHoldout,
} from './evaluate.ts';
import { featureName, insuranceFeatures } from './features.ts';
import { fitLinear } from './linear/fit.ts';
import { type LinearModel, predictLinear } from './linear/model.ts';
import { type RegressionMetrics, regressionMetrics } from './metrics.ts';
import { perFieldLinearModel } from './onnx/linear-graph.ts';
import { encodeModel } from './onnx/proto.ts';
import type { TrainingReport } from './report.ts';
import { insuranceSchema } from './schema.ts';
import { holdoutSplit } from './splits.ts';

/** The model family, as recorded in the metadata and the card. */
const modelFamily = 'linear regression on engineered features (OLS)';

/** Progress events of a training run, for the terminal. */
export type TrainingEvent =
  | { readonly step: 'data'; readonly rows: number; readonly sha256: string }
  | { readonly step: 'split'; readonly trainRows: number; readonly holdoutRows: number }
  | { readonly step: 'fold'; readonly folds: number; readonly result: FoldResult }
  | { readonly step: 'holdout'; readonly metrics: RegressionMetrics }
  | { readonly step: 'robustness'; readonly splits: number }
  | { readonly step: 'fit'; readonly rows: number; readonly features: number }
  | { readonly step: 'artifacts'; readonly files: readonly string[] };

/** The outcome of a run: the fitted model, its report and the artifact bytes by file name. */
export interface TrainingResult {
  readonly model: LinearModel;
  readonly report: TrainingReport;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));
/** Rounded figures: stable text in the artifacts, and no false precision. */
const rounded = (m: RegressionMetrics): RegressionMetrics => ({
  r2: round(m.r2, 6),
  mae: round(m.mae, 3),
  rmse: round(m.rmse, 3),
});

/**
 * Runs the whole pipeline in memory: load and validate the CSV, 10-fold CV on the training
 * part, holdout evaluation, robustness figures, the final fit on every row, and the
 * artifacts (`model.onnx`, `schema.json`, `reference.json`, `metrics.json`, `model-card.md`,
 * `predicted-vs-actual.svg`, `profile.json`). Deterministic: the same config gives the same bytes.
 */
export function runTraining(
  config: TrainingConfig = defaultTrainingConfig,
  onEvent: (event: TrainingEvent) => void = () => {},
): TrainingResult {
  const schema = parseSchema(insuranceSchema);
  const rows = loadInsuranceRows(config.dataFile);
  const sha256 = dataSha256(config.dataFile);
  onEvent({ step: 'data', rows: rows.length, sha256 });
  const data: Dataset = {
    records: rows.map(({ charges: _, ...record }) => record),
    targets: rows.map((r) => r.charges),
  };

  const { train, holdout } = holdoutSplit(rows.length, config.holdoutFraction, config.seed);
  onEvent({ step: 'split', trainRows: train.length, holdoutRows: holdout.length });
  const cv = crossValidate(data, insuranceFeatures, train, {
    folds: config.folds,
    seed: config.seed,
    onFold: (result) => onEvent({ step: 'fold', folds: config.folds, result }),
  });
  const held = fitAndPredict(data, insuranceFeatures, train, holdout).predictions;
  const holdoutMetrics = regressionMetrics(held.actual, held.predicted);
  onEvent({ step: 'holdout', metrics: holdoutMetrics });

  onEvent({ step: 'robustness', splits: 100 });
  const allRows = rows.map((_, i) => i);
  const fullDataCv = crossValidate(data, insuranceFeatures, allRows, {
    folds: config.folds,
    seed: config.seed,
  });
  const repeated = repeatedHoldout(data, insuranceFeatures, {
    splits: 100,
    fraction: config.holdoutFraction,
    r2Floor: qualityFloor.r2,
  });

  const model = fitLinear(insuranceFeatures, data.records, data.targets);
  onEvent({ step: 'fit', rows: rows.length, features: model.weights.length });

  const fingerprint = schemaFingerprint(schema);
  const report: TrainingReport = {
    model: { name: schema.model.name, version: schema.model.version, family: modelFamily },
    trainingDate: config.trainingDate,
    data: { rows: rows.length, sha256 },
    schemaFingerprint: fingerprint,
    protocol: {
      seed: config.seed,
      folds: config.folds,
      holdoutFraction: config.holdoutFraction,
      trainRows: train.length,
      holdoutRows: holdout.length,
    },
    cv: { folds: cv.folds.map((f) => ({ ...f, ...rounded(f) })), mean: rounded(cv.mean) },
    holdout: rounded(holdoutMetrics),
    robustness: {
      fullDataCv: rounded(fullDataCv.mean),
      repeatedHoldout: {
        ...repeated,
        r2: {
          mean: round(repeated.r2.mean, 6),
          sd: round(repeated.r2.sd, 6),
          min: round(repeated.r2.min, 6),
          max: round(repeated.r2.max, 6),
        },
        mae: { mean: round(repeated.mae.mean, 3), sd: round(repeated.mae.sd, 3) },
      },
    },
    floor: qualityFloor,
    reference: replacedAppReference,
    coefficients: [
      { feature: '(intercept)', weight: model.intercept },
      ...model.features.map((f, j) => ({
        feature: featureName(f),
        weight: model.weights[j] as number,
      })),
    ],
  };

  const metadata = {
    [FINGERPRINT_METADATA_KEY]: fingerprint,
    'modelship.model_name': schema.model.name,
    'modelship.model_version': schema.model.version,
    'modelship.model_family': modelFamily,
    'modelship.training_date': config.trainingDate,
    'modelship.data_sha256': sha256,
    'modelship.metrics': JSON.stringify({ cv: report.cv.mean, holdout: report.holdout }),
  };
  const onnxBytes = encodeModel(
    perFieldLinearModel(schema, model, {
      producerVersion: schema.model.version,
      docString: `${schema.model.description ?? schema.model.name} ${modelFamily}; see model-card.md.`,
      metadata,
    }),
  );
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const text = new TextEncoder();
  const chart = predictedVsActualSvg(
    [
      {
        label: `CV out-of-fold (${train.length} training rows)`,
        color: '#9a9a9a',
        ...cv.outOfFold,
      },
      { label: `holdout (${holdout.length} rows)`, color: '#1f6fd1', ...held },
    ],
    {
      title: `${schema.model.name}: predicted vs actual ${schema.target.name}`,
      unit: schema.target.unit ?? '',
    },
  );
  const files: Record<string, Uint8Array> = {
    'model.onnx': onnxBytes,
    'schema.json': text.encode(json(insuranceSchema)),
    'reference.json': text.encode(json(model)),
    'metrics.json': text.encode(json(report)),
    'model-card.md': text.encode(modelCard(report, schema, metadata)),
    'predicted-vs-actual.svg': text.encode(chart),
    // The training data as the service's drift monitoring compares traffic with it: every
    // row, and the final model's predictions on them (float32, as the graph computes them);
    // a sample of the rows themselves is the background of /explain.
    'profile.json': text.encode(
      json(
        buildProfile(
          schema,
          data.records,
          data.records.map((r) => predictLinear(model, r)),
          { fingerprint, backgroundRows: DEFAULT_BACKGROUND_ROWS },
        ),
      ),
    ),
  };
  onEvent({ step: 'artifacts', files: Object.keys(files) });
  return { model, report, files };
}
