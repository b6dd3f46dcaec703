import type { FeatureRecord } from '@modelship/feature-schema';
import type { Counter } from 'prom-client';
import { createBatcher } from '../batcher.ts';
import type { Config } from '../config.ts';
import { ExplainUnavailableError } from '../errors.ts';
import type { VersionExplainer } from '../explain/explanations.ts';
import type { Explainer, Explanation } from '../explain/types.ts';
import type { Metrics } from '../metrics.ts';
import type { ServedModel } from '../model/served-model.ts';
import type { Prediction } from '../model/task.ts';
import type { DriftMonitor } from '../monitoring/drift-monitor.ts';

/** The response header naming the model version that computed a prediction. */
export const MODEL_VERSION_HEADER = 'X-Model-Version';

/** What a response says about the model that computed it. */
export interface ModelRef {
  readonly name: string;
  readonly version: string;
}

/**
 * One loaded model version as it serves: its own batcher (a batch never mixes versions), its
 * drift monitor, its explainer, and a count of the predictions and explanations it has in
 * flight, so that a replaced version releases its onnxruntime sessions only after its last
 * request.
 */
export interface LiveModel {
  readonly model: ServedModel;
  /** `{ name, version }` for responses (the `model` object, OIP `model_version`, the header). */
  readonly ref: ModelRef;
  /** The headers an answer of this version carries (`X-Model-Version`), built once. */
  readonly headers: Readonly<Record<string, string>>;
  /** The version's drift monitor (with a `profile.json`). */
  readonly drift?: DriftMonitor;
  /** The version's explainer, built when it was loaded (absent: this version explains nothing). */
  readonly explainer?: VersionExplainer;
  /** Predicts through this version's batcher (the batcher's run counts it in flight). */
  predict(records: readonly FeatureRecord[]): Promise<Prediction[]>;
  /**
   * Explains validated records with this version's explainer.
   * @throws {ExplainUnavailableError} (409) when the version has no background rows.
   */
  explain(
    records: readonly FeatureRecord[],
  ): Promise<{ explainer: Explainer; explanations: Explanation[] }>;
  /** Resolves once no batch runs and nothing waits (the shutdown drain). */
  idle(): Promise<void>;
  /** Stops taking work; resolves once the in-flight requests are done and the sessions are freed. */
  retire(): Promise<void>;
}

/** Options of {@link createLiveModel}. */
export interface LiveModelOptions {
  readonly model: ServedModel;
  readonly config: Pick<Config, 'BATCHING' | 'MAX_BATCH' | 'MAX_QUEUE'>;
  readonly metrics: Pick<
    Metrics,
    | 'batchRows'
    | 'queueRows'
    | 'inferenceDuration'
    | 'modelSessions'
    | 'predictedRows'
    | 'predictedClasses'
    | 'queueRejections'
  >;
  readonly drift?: DriftMonitor;
  /** The version's explainer ({@link prepareExplainer}); released when the version retires. */
  readonly explainer?: VersionExplainer;
}

/** Counts each predicted class (`inference_predicted_class_total{class}`). */
function countClasses(counter: Counter<'class'>, predictions: readonly Prediction[]): void {
  const counts = new Map<string, number>();
  for (const p of predictions) {
    if (typeof p === 'object') counts.set(String(p.label), (counts.get(String(p.label)) ?? 0) + 1);
  }
  for (const [label, n] of counts) counter.inc({ class: label }, n);
}

/** Wraps a loaded (checked, warmed) model; counts its session in `inference_model_sessions`. */
export function createLiveModel(options: LiveModelOptions): LiveModel {
  const { model, config, metrics, drift, explainer } = options;
  metrics.modelSessions.inc();
  // Children resolved once: prom-client's `observe(value)` builds and hashes a label set per call.
  const batchRows = metrics.batchRows.labels();
  const runSeconds = metrics.inferenceDuration.labels();
  const predictedRows = metrics.predictedRows.labels();
  const { predictedClasses } = metrics;
  const batcher = createBatcher<FeatureRecord, Prediction>({
    enabled: config.BATCHING,
    maxBatchRows: config.MAX_BATCH,
    maxQueueRows: config.MAX_QUEUE,
    onRun: (rows) => batchRows.observe(rows),
    onRunDone: (seconds) => runSeconds.observe(seconds),
    onQueueDepth: (rows) => metrics.queueRows.set(rows),
    onRefused: () => metrics.queueRejections.inc(),
    run: (records) => model.run(records),
    // Once per run for all of its submissions: the drift bins, the row and class counts.
    onOutputs: (records, predictions) => {
      drift?.observe(records, predictions);
      predictedRows.inc(predictions.length);
      if (predictedClasses) countClasses(predictedClasses, predictions);
    },
  });
  // Explanations in flight; predictions are the batcher's own (`batcher.idle()`).
  let explaining = 0;
  let released: Promise<void> | undefined;
  let onIdle: (() => void) | undefined;
  const release = () => {
    released ??= Promise.all([
      model.release().finally(() => metrics.modelSessions.dec()),
      explainer?.release(),
    ]).then(() => {});
    return released;
  };
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    explaining += 1;
    try {
      return await work();
    } finally {
      explaining -= 1;
      if (explaining === 0) onIdle?.();
    }
  };
  // Built by assignment, once: a computed key in a literal costs a runtime call per object.
  const headers: Record<string, string> = {};
  headers[MODEL_VERSION_HEADER] = model.identity.version;
  return {
    model,
    ref: { name: model.identity.name, version: model.identity.version },
    headers,
    ...(drift ? { drift } : {}),
    ...(explainer ? { explainer } : {}),
    idle: () => batcher.idle(),
    predict: (records) => batcher.submit(records),
    explain: (records) =>
      track(async () => {
        if (!explainer) throw new ExplainUnavailableError('This model version explains nothing.');
        const ready = await explainer.explainer();
        return { explainer: ready, explanations: await ready.explain(records) };
      }),
    retire: async () => {
      if (explaining > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      await batcher.idle();
      await release();
    },
  };
}
