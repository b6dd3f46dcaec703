import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTrainingConfig, modelDir, qualityFloor } from './config.ts';
import { runTraining, type TrainingEvent } from './pipeline.ts';

// `pnpm train`: runs the pipeline and writes the artifacts into model/ (or the directory given
// as the first argument), printing progress as it goes.

const outDir = process.argv[2] ?? modelDir;
const started = performance.now();
const fmt = (x: number) => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One terminal line per pipeline event. */
function describe(e: TrainingEvent): string {
  switch (e.step) {
    case 'data':
      return `data      ${e.rows} rows validated against the schema (sha256 ${e.sha256.slice(0, 12)}…)`;
    case 'split':
      return `split     ${e.trainRows} training rows, ${e.holdoutRows} holdout rows`;
    case 'fold': {
      const r = e.result;
      return `cv        fold ${String(r.fold).padStart(2)}/${e.folds}  R² ${r.r2.toFixed(4)}  MAE ${fmt(r.mae).padStart(5)}  RMSE ${fmt(r.rmse)}`;
    }
    case 'holdout':
      return `holdout   R² ${e.metrics.r2.toFixed(4)}  MAE ${fmt(e.metrics.mae)}  RMSE ${fmt(e.metrics.rmse)}`;
    case 'robustness':
      return `robust    10-fold CV on all rows, ${e.splits} seeded holdouts`;
    case 'fit':
      return `fit       final model on ${e.rows} rows, ${e.features} features`;
    case 'artifacts':
      return `write     ${e.files.join(', ')} → ${outDir}`;
  }
}

const show = (e: TrainingEvent): void => {
  process.stdout.write(`${describe(e)}\n`);
};

const { report, files } = runTraining(defaultTrainingConfig, show);
mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of Object.entries(files)) writeFileSync(join(outDir, name), bytes);

const ok = (m: { r2: number; mae: number }) => m.r2 >= qualityFloor.r2 && m.mae <= qualityFloor.mae;
process.stdout.write(
  `done in ${((performance.now() - started) / 1000).toFixed(1)} s: CV R² ${report.cv.mean.r2.toFixed(4)} MAE ${fmt(report.cv.mean.mae)} (${ok(report.cv.mean) ? 'meets' : 'BELOW'} the floor); ` +
    `holdout R² ${report.holdout.r2.toFixed(4)} MAE ${fmt(report.holdout.mae)} (${ok(report.holdout) ? 'meets' : 'BELOW'} the floor)\n`,
);
