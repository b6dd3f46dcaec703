import type { FeatureRecord } from '@modelship/feature-schema';
import { createBatcher } from '../batcher.ts';
import type { Config } from '../config.ts';
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
 * drift monitor, and a count of the predictions it has in flight, so that a replaced version
 * releases its onnxruntime session only after its last request.
 */
export interface LiveModel {
  readonly model: ServedModel;
  /** `{ name, version }` for responses (the `model` object, OIP `model_version`, the header). */
  readonly ref: ModelRef;
  /** The headers an answer of this version carries (`X-Model-Version`), built once. */
  readonly headers: Readonly<Record<string, string>>;
  /** The version's drift monitor (with a `profile.json`). */
  readonly drift?: DriftMonitor;
  /** Predicts through this version's batcher. */
  predict(records: readonly FeatureRecord[]): Promise<Prediction[]>;
  /** Resolves once no batch runs and nothing waits (the shutdown drain). */
  idle(): Promise<void>;
  /** Predictions submitted and not yet answered. */
  readonly inFlight: number;
  /** Stops taking work; resolves once the in-flight predictions are done and the session is freed. */
  retire(): Promise<void>;
}

/** Options of {@link createLiveModel}. */
export interface LiveModelOptions {
  readonly model: ServedModel;
  readonly config: Pick<Config, 'BATCHING' | 'MAX_BATCH' | 'MAX_QUEUE'>;
  readonly metrics: Pick<
    Metrics,
    'batchRows' | 'queueRows' | 'inferenceDuration' | 'modelSessions'
  >;
  readonly drift?: DriftMonitor;
}

/** Wraps a loaded (checked, warmed) model; counts its session in `inference_model_sessions`. */
export function createLiveModel(options: LiveModelOptions): LiveModel {
  const { model, config, metrics, drift } = options;
  metrics.modelSessions.inc();
  const batcher = createBatcher<FeatureRecord, Prediction>({
    enabled: config.BATCHING,
    maxBatchRows: config.MAX_BATCH,
    maxQueueRows: config.MAX_QUEUE,
    onRun: (rows) => metrics.batchRows.observe(rows),
    onQueueDepth: (rows) => metrics.queueRows.set(rows),
    run: async (records) => {
      const stop = metrics.inferenceDuration.startTimer();
      try {
        return await model.run(records);
      } finally {
        stop();
      }
    },
  });
  let inFlight = 0;
  let released: Promise<void> | undefined;
  let onIdle: (() => void) | undefined;
  const release = () => {
    released ??= model.release().finally(() => metrics.modelSessions.dec());
    return released;
  };
  // Built by assignment, once: a computed key in a literal costs a runtime call per object.
  const headers: Record<string, string> = {};
  headers[MODEL_VERSION_HEADER] = model.identity.version;
  return {
    model,
    ref: { name: model.identity.name, version: model.identity.version },
    headers,
    ...(drift ? { drift } : {}),
    get inFlight() {
      return inFlight;
    },
    idle: () => batcher.idle(),
    predict: async (records) => {
      inFlight += 1;
      try {
        return await batcher.submit(records);
      } finally {
        inFlight -= 1;
        if (inFlight === 0) onIdle?.();
      }
    },
    retire: async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      await batcher.idle();
      await release();
    },
  };
}
