import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import type { Config } from '../config.ts';
import { ExplainUnavailableError } from '../errors.ts';
import { MODEL_FILE } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createExplainer } from './explainer.ts';
import type { Explainer } from './types.ts';

/** The settings an explainer is built with. */
export type ExplainConfig = Pick<
  Config,
  'EXPLAIN_MAX_EXACT_FIELDS' | 'EXPLAIN_SAMPLES' | 'ORT_INTRA_OP_THREADS'
>;

/** Why a model has no explainer, for a 409 that says how to fix it; undefined when it has one. */
export function unexplainableReason(model: Pick<ServedModel, 'profile'>): string | undefined {
  if (!model.profile) {
    return 'This model directory has no profile.json, so there are no background rows to explain against: add one with `modelship profile DIR --data CSV` (it keeps 200 training rows by default).';
  }
  if (!model.profile.background?.length) {
    return "This model's profile.json holds no background rows (written with `--background-rows 0`, or before explanations): refresh it with `modelship profile DIR --data CSV --background-rows 200`.";
  }
  return undefined;
}

// One explainer per loaded version, shared by every route that explains (Hono's and the
// lane's), built on first use and dropped with the version.
const explainers = new WeakMap<ServedModel, Promise<Explainer>>();

/**
 * The explainer of a loaded model version against its profile's background rows, built once.
 *
 * @throws {ExplainUnavailableError} (409) when the model has no background rows.
 */
export function explainerFor(model: ServedModel, config: ExplainConfig): Promise<Explainer> {
  const reason = unexplainableReason(model);
  if (reason) return Promise.reject(new ExplainUnavailableError(reason));
  let explainer = explainers.get(model);
  if (!explainer) {
    explainer = (async () =>
      createExplainer({
        bytes: await readFile(join(model.dir, MODEL_FILE)),
        compiled: model.compiled,
        task: model.task,
        background: (model.profile?.background ?? []) as FeatureRecord[],
        maxExactFields: config.EXPLAIN_MAX_EXACT_FIELDS,
        samples: config.EXPLAIN_SAMPLES,
        intraOpThreads: config.ORT_INTRA_OP_THREADS,
        modelDir: resolve(model.dir),
      }))();
    // A failed build is not cached: the next request tries again (and logs again).
    explainer.catch(() => explainers.delete(model));
    explainers.set(model, explainer);
  }
  return explainer;
}
