import { fileURLToPath } from 'node:url';

/** Every setting of the training pipeline: fixed, so a run is reproducible byte for byte. */
export interface TrainingConfig {
  /** Seed of the shuffles (holdout split and CV folds). */
  readonly seed: number;
  /** Number of cross-validation folds (on the training part). */
  readonly folds: number;
  /** Fraction of rows held out for the final evaluation. */
  readonly holdoutFraction: number;
  /**
   * Recorded as the training date in the ONNX metadata and the model card. A constant, not
   * the clock, so that the committed artifacts are exactly what `pnpm train` produces; bump
   * it when the model is retrained on purpose.
   */
  readonly trainingDate: string;
  /** The CSV data set. */
  readonly dataFile: string;
}

/** The configuration the bundled model was trained with. */
export const defaultTrainingConfig: TrainingConfig = {
  seed: 42,
  folds: 10,
  holdoutFraction: 0.3,
  trainingDate: '2026-11-22',
  dataFile: fileURLToPath(new URL('../data/insurance.csv', import.meta.url)),
};

/** Directory of the committed model artifacts. */
export const modelDir: string = fileURLToPath(new URL('../model/', import.meta.url));

/** The quality floor the bundled model must reach. */
export const qualityFloor = { r2: 0.86, mae: 2700 } as const;

/** Figures of the PyCaret app this model replaces (10-fold CV), shown in the model card. */
export const replacedAppReference = [
  { model: 'PyCaret linear regression with engineered features', r2: 0.8272, mae: 2952.7 },
  { model: 'Plain linear regression', r2: 0.7308, mae: 4323.6 },
] as const;

/**
 * Python interpreter with onnxruntime for the portability check: `MODELSHIP_ORT_PYTHON`, or
 * the package's `.venv` made by `portability/setup-venv.sh`.
 */
export const portabilityPython: string =
  process.env.MODELSHIP_ORT_PYTHON ??
  fileURLToPath(new URL('../.venv/bin/python', import.meta.url));

/** Whether this is a CI run, where every real component the tests use must be present. */
export const isCi: boolean = process.env.CI === 'true';
