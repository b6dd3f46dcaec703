import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import type { Config } from '../config.ts';
import { ExplainUnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MODEL_FILE } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createExplainer } from './explainer.ts';
import type { Explainer, ExplainMethod, ExplainSpace } from './types.ts';

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

/** What a model version can explain, decided once when it is loaded. */
export type ExplainState =
  | { readonly status: 'ready'; readonly explainer: Explainer }
  /** No background rows: `/explain` answers 409 with `reason`. */
  | { readonly status: 'unavailable'; readonly reason: string }
  /** The explainer could not be built (logged at load): `/explain` answers 500. */
  | { readonly status: 'failed'; readonly reason: string };

/** What the model metadata and `/monitoring` say of a version's explanations. */
export type ExplainSummary =
  | {
      readonly method: ExplainMethod;
      readonly space: ExplainSpace;
      readonly backgroundRows: number;
    }
  | { readonly method: 'none'; readonly reason: string };

/** A model version's explainer: built when the version is loaded, released with it. */
export interface VersionExplainer {
  /** Settles (never rejects) once the method is chosen and its session is built. */
  readonly ready: Promise<ExplainState>;
  /** The settled state; undefined while it is being built. */
  readonly state: ExplainState | undefined;
  /** The explainer, or the 409 (no background rows) / the error (failed build) to answer. */
  explainer(): Promise<Explainer>;
  /** Frees the explainer's onnxruntime session (once; after `ready`). */
  release(): Promise<void>;
}

/** Options of {@link prepareExplainer}. */
export interface PrepareExplainerOptions {
  readonly model: ServedModel;
  readonly config: ExplainConfig;
  readonly logger: Logger;
  /** Called when the explainer's session is created and when it is released (a gauge). */
  readonly onSession?: (delta: 1 | -1) => void;
}

/** What a version's explainer explains, for the metadata and the monitoring page. */
export function explainSummary(explainer: VersionExplainer | undefined): ExplainSummary {
  if (!explainer) return { method: 'none', reason: 'this version explains nothing' };
  const { state } = explainer;
  if (!state) return { method: 'none', reason: 'the explainer is being built' };
  if (state.status !== 'ready') return { method: 'none', reason: state.reason };
  const { method, space, backgroundRows } = state.explainer;
  return { method, space, backgroundRows };
}

/**
 * Starts building a loaded version's explainer against its profile's background rows: the
 * method is chosen from the graph and logged, and the explainer's own session created, now
 * rather than at the first request. The caller releases it when the version is retired.
 */
export function prepareExplainer(options: PrepareExplainerOptions): VersionExplainer {
  const { model, config, logger, onSession } = options;
  const { version } = model.identity;
  const reason = unexplainableReason(model);
  // Known at once without background rows: nothing to build.
  let state: ExplainState | undefined = reason ? { status: 'unavailable', reason } : undefined;
  if (state) logger.info({ version, explain: 'none' }, `model version ${version}: no explanations`);
  const build = async (): Promise<ExplainState> => {
    if (state) return state;
    const started = performance.now();
    try {
      const explainer = await createExplainer({
        bytes: await readFile(join(model.dir, MODEL_FILE)),
        compiled: model.compiled,
        task: model.task,
        background: (model.profile?.background ?? []) as FeatureRecord[],
        maxExactFields: config.EXPLAIN_MAX_EXACT_FIELDS,
        samples: config.EXPLAIN_SAMPLES,
        intraOpThreads: config.ORT_INTRA_OP_THREADS,
        modelDir: resolve(model.dir),
      });
      onSession?.(1);
      const { method, space, backgroundRows, note } = explainer;
      logger.info(
        {
          version,
          explain: { method, space, backgroundRows, ...(note ? { fallback: note } : {}) },
          ms: performance.now() - started,
        },
        `model version ${version}: explanations by ${method} in ${space} space against ${backgroundRows} background rows${note ? ` (not tree-shap: ${note})` : ''}`,
      );
      return { status: 'ready', explainer };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ version, error }, `model version ${version}: no explainer (${message})`);
      return { status: 'failed', reason: message };
    }
  };
  const ready = build().then((s) => {
    state = s;
    return s;
  });
  let released: Promise<void> | undefined;
  return {
    ready,
    get state() {
      return state;
    },
    async explainer() {
      const s = await ready;
      if (s.status === 'ready') return s.explainer;
      if (s.status === 'unavailable') throw new ExplainUnavailableError(s.reason);
      throw new Error(`the explainer of model version ${version} could not be built: ${s.reason}`);
    },
    release() {
      released ??= ready.then(async (s) => {
        if (s.status !== 'ready') return;
        try {
          await s.explainer.release();
        } finally {
          onSession?.(-1);
        }
      });
      return released;
    },
  };
}
