import type { InferenceSession } from 'onnxruntime-node';

/** Options of {@link sessionOptions}. */
export interface SessionOptionsInput {
  /** Threads for one operator (ORT_INTRA_OP_THREADS). @default 1 */
  readonly intraOpThreads?: number;
  /**
   * The model's directory, where onnxruntime reads side files holding its weights (a model
   * given as bytes would otherwise read them from the current directory).
   */
  readonly modelDir?: string;
}

/**
 * The session config entry (under `extra.session`) that makes onnxruntime read a model's
 * weight side files from `dir` when the model is given as bytes (else: the current directory).
 */
export function externalDataFolder(dir: string) {
  return { model_external_initializers_file_folder_path: dir };
}

/**
 * onnxruntime session options for a small CPU container serving a small tabular model.
 * - `intraOpNumThreads: 1`: such a model runs in microseconds on one thread, where a thread
 *   pool only adds synchronization and tail latency (apps/bench/PROFILING.md). Concurrency
 *   comes from the batcher and from Node, not from splitting one operator.
 * - `interOpNumThreads: 1` + `executionMode: 'sequential'`: the graph is a short chain.
 * - no spinning: idle pool threads must not burn a shared CPU budget (matters if threads > 1).
 * - `graphOptimizationLevel: 'all'`, CPU arena and memory patterns on: the defaults that make
 *   repeated runs of similar shapes cheap.
 *
 * @see https://onnxruntime.ai/docs/performance/tune-performance/threading.html
 */
export function sessionOptions(input: SessionOptionsInput = {}): InferenceSession.SessionOptions {
  const { intraOpThreads = 1, modelDir } = input;
  const folder = modelDir === undefined ? {} : externalDataFolder(modelDir);
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    extra: {
      session: {
        intra_op: { allow_spinning: '0' },
        inter_op: { allow_spinning: '0' },
        ...folder,
      },
    },
  };
}
