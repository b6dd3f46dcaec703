import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSchema, type FeatureRecord, parseSchema } from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';
import { median } from './stats.ts';

/** onnxruntime alone, in-process: no HTTP, no validation, tensors built once. */
export interface ModelAloneResult {
  readonly model: string;
  readonly rows: number;
  readonly runsPerSec: number;
  readonly rowsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Options for {@link measureModelAlone}. */
export interface ModelAloneOptions {
  /** A model directory (`model.onnx` + `schema.json`). */
  readonly modelDir: string;
  /** Label in the report. */
  readonly label: string;
  /** Records to feed; the first `rows` are used for each batch size. */
  readonly records: readonly FeatureRecord[];
  readonly batchSizes: readonly number[];
  readonly durationS: number;
  /** onnxruntime intra-op threads, as the service configures them. @default 1 */
  readonly intraOpThreads?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/**
 * Runs `session.run` back to back for `durationS` seconds per batch size and reports runs
 * per second and per-run latency. Session options mirror the service's defaults (one
 * intra-op thread, sequential execution).
 */
export async function measureModelAlone(options: ModelAloneOptions): Promise<ModelAloneResult[]> {
  const schema = compileSchema(
    parseSchema(JSON.parse(await readFile(join(options.modelDir, 'schema.json'), 'utf8'))),
  );
  const session = await ort.InferenceSession.create(join(options.modelDir, 'model.onnx'), {
    intraOpNumThreads: options.intraOpThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const results: ModelAloneResult[] = [];
  try {
    for (const rows of options.batchSizes) {
      const records = options.records.slice(0, rows);
      if (records.length < rows) throw new Error(`need ${rows} records, have ${records.length}`);
      const feeds = Object.fromEntries(
        Object.entries(schema.encode([...records])).map(([name, t]) => [
          name,
          new ort.Tensor(t.type, t.data, t.dims),
        ]),
      );
      for (let i = 0; i < 50; i++) await session.run(feeds);
      const latencies: number[] = [];
      const end = performance.now() + options.durationS * 1000;
      const start = performance.now();
      while (performance.now() < end) {
        const t0 = performance.now();
        await session.run(feeds);
        latencies.push(performance.now() - t0);
      }
      const elapsedS = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      results.push({
        model: options.label,
        rows,
        runsPerSec: latencies.length / elapsedS,
        rowsPerSec: (latencies.length * rows) / elapsedS,
        p50Us: median(latencies) * 1000,
        p99Us: percentile(latencies, 99) * 1000,
      });
    }
  } finally {
    await session.release();
  }
  return results;
}
