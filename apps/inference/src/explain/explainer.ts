import {
  type CompiledSchema,
  type FeatureRecord,
  hashSeed,
  seededRandom,
} from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';
import { fixedBatchSize } from '../model/batch-size.ts';
import { withGraphOutput } from '../model/classifier-graph.ts';
import { sessionOptions } from '../model/session-options.ts';
import type { ServedTask } from '../model/task.ts';
import { type Hybrids, hybridEncoder } from './hybrid.ts';
import { graphView, withStringAttribute } from './onnx-graph.ts';
import { permutationPlan, samplingEstimate } from './sampling.ts';
import { coalitionPlan, shapleyFromCoalitions } from './shapley.ts';
import {
  type GraphStructure,
  graphStructure,
  type LinearHead,
  type TreeHead,
} from './structure.ts';
import { ensembleOutput } from './tree-ensemble.ts';
import { treeShap } from './tree-shap.ts';
import type { Explainer, ExplainMethod, ExplainSpace, Explanation } from './types.ts';

/** Options of {@link createExplainer}. */
export interface ExplainerOptions {
  /** `model.onnx` as the model directory holds it. */
  readonly bytes: Uint8Array;
  readonly compiled: CompiledSchema;
  readonly task: ServedTask;
  /** The background rows (validated records) every method explains against. */
  readonly background: readonly FeatureRecord[];
  /** Most fields explained by `exact` (2^F coalitions × rows); more go to `sampling`. */
  readonly maxExactFields: number;
  /** `sampling`: permutations per record (rounded up to an even number: antithetic pairs). */
  readonly samples: number;
  /** Use this method instead of the one the graph allows (tests, benchmarks). */
  readonly method?: ExplainMethod;
  /** onnxruntime intra-op threads. @default 1 */
  readonly intraOpThreads?: number;
  /** The model directory, where onnxruntime finds weights kept in side files. */
  readonly modelDir?: string;
}

/** Why a model cannot be explained as asked. */
export class ExplainSetupError extends Error {
  override name = 'ExplainSetupError';
}

const single = (head: LinearHead | TreeHead | undefined) =>
  head?.fields.every((fields) => fields.length <= 1) === true;

/** The method the graph allows: closed forms first, then exact for few fields, else sampling. */
export function chooseMethod(
  structure: GraphStructure,
  fields: number,
  maxExactFields: number,
): ExplainMethod {
  if (structure.head?.kind === 'linear' && single(structure.head)) return 'additive';
  if (structure.head?.kind === 'trees' && single(structure.head)) return 'tree-shap';
  return fields <= maxExactFields ? 'exact' : 'sampling';
}

/**
 * Rows `start ... start + size - 1` of every feed (the last row repeated past `n`), for a
 * model exported with a fixed batch size.
 */
function batchSlice(
  feeds: Record<string, ort.Tensor>,
  start: number,
  size: number,
  n: number,
): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    const width = t.data.length / n;
    const data = t.data as Float32Array;
    const rows = Array.from({ length: size }, (_, i) => Math.min(start + i, n - 1));
    const sliced =
      t.type === 'string'
        ? rows.flatMap((r) => (t.data as string[]).slice(r * width, (r + 1) * width))
        : (() => {
            const copy = new (data.constructor as Float32ArrayConstructor)(size * width);
            rows.forEach((r, i) => {
              copy.set(data.subarray(r * width, (r + 1) * width), i * width);
            });
            return copy;
          })();
    out[name] = new ort.Tensor(t.type as 'float32', sliced as Float32Array, [
      size,
      ...t.dims.slice(1),
    ]);
  }
  return out;
}

/** Row-major `[n × width]` float64 copy of a tensor's data. */
const float64 = (t: ort.Tensor | undefined) => Float64Array.from(t?.data as Float32Array, Number);

/**
 * Builds the explainer of a model: reads its graph, chooses the method (see
 * {@link chooseMethod}), opens its own onnxruntime session (with the tensors it reads exposed
 * as outputs, and a classifier's post-transform removed where it explains margins) and
 * evaluates the background rows once.
 *
 * @throws {ExplainSetupError} when a forced method does not fit the graph.
 */
export async function createExplainer(options: ExplainerOptions): Promise<Explainer> {
  const { compiled, task, background } = options;
  const { schema } = compiled;
  const F = schema.fields.length;
  const R = background.length;
  if (R === 0) throw new ExplainSetupError('no background rows');
  const view = graphView(options.bytes);
  const structure = graphStructure(view, schema, task);
  const method = options.method ?? chooseMethod(structure, F, options.maxExactFields);
  const head = structure.head;
  if (method === 'additive' && !(head?.kind === 'linear' && single(head))) {
    throw new ExplainSetupError('additive needs a linear graph of per-field terms');
  }
  if (method === 'tree-shap' && !(head?.kind === 'trees' && single(head))) {
    throw new ExplainSetupError('tree-shap needs a tree ensemble over per-field columns');
  }
  if (method === 'sampling' && F < 2) throw new ExplainSetupError('sampling needs 2 fields');
  const closedForm = method === 'additive' || method === 'tree-shap';
  const K = task.kind === 'classification' ? task.classes.length : 1;

  let space: ExplainSpace = task.kind === 'regression' ? 'value' : 'probability';
  let bytes = options.bytes;
  let valueTensor = task.kind === 'regression' ? schema.output.name : task.probabilitiesTensor;
  if (structure.margin && (closedForm || method === 'exact')) {
    space = 'margin';
    if (method === 'exact') {
      const { node, scores } = structure.margin;
      bytes = withStringAttribute(bytes, node.output?.[0] ?? '', 'post_transform', 'NONE');
      valueTensor = scores;
    }
  }
  const columnsTensor = closedForm ? (head as LinearHead | TreeHead).columns : undefined;
  const isInput = (name: string) => view.inputs.includes(name);
  for (const name of [valueTensor, columnsTensor]) {
    if (name && !isInput(name) && !view.outputs.includes(name))
      bytes = withGraphOutput(bytes, name);
  }
  const fetches = [
    valueTensor,
    ...(columnsTensor && !isInput(columnsTensor) ? [columnsTensor] : []),
  ];
  const session = await ort.InferenceSession.create(
    bytes,
    sessionOptions({
      intraOpThreads: options.intraOpThreads ?? 1,
      ...(options.modelDir ? { modelDir: options.modelDir } : {}),
    }),
  );

  const feedsOf = (records: readonly FeatureRecord[]) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(compiled.encode(records))) {
      feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    return feeds;
  };
  /** Outputs `[n × K]` in the explained space, and the head's columns `[n × C]`. */
  const fixed = fixedBatchSize(session.inputMetadata);
  const runOnce = async (feeds: Record<string, ort.Tensor>) => {
    const results = await session.run(feeds, fetches);
    return {
      values: float64(results[valueTensor]),
      columns: columnsTensor
        ? float64(isInput(columnsTensor) ? feeds[columnsTensor] : results[columnsTensor])
        : undefined,
    };
  };
  /** One run, or one per chunk of a model exported with a fixed batch size. */
  const runAll = async (feeds: Record<string, ort.Tensor>, n: number) => {
    if (fixed === undefined || fixed === n) return runOnce(feeds);
    const parts: { values: Float64Array; columns: Float64Array | undefined }[] = [];
    for (let start = 0; start < n; start += fixed) {
      const part = await runOnce(batchSlice(feeds, start, fixed, n));
      const real = Math.min(fixed, n - start);
      const width = (a: Float64Array) => a.length / fixed;
      parts.push({
        values: part.values.subarray(0, real * width(part.values)),
        columns: part.columns?.subarray(0, real * width(part.columns)),
      });
    }
    const join = (arrays: Float64Array[]) => {
      const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
      let at = 0;
      for (const a of arrays) {
        out.set(a, at);
        at += a.length;
      }
      return out;
    };
    return {
      values: join(parts.map((p) => p.values)),
      columns: columnsTensor ? join(parts.map((p) => p.columns as Float64Array)) : undefined,
    };
  };
  const evaluate = async (feeds: Record<string, ort.Tensor>, n: number) => {
    const { values, columns } = await runAll(feeds, n);
    if (values.length !== n * K) {
      throw new Error(`${valueTensor} has ${values.length} values where ${n * K} were expected`);
    }
    return { values, columns };
  };

  const start = await evaluate(feedsOf(background), R);
  const base = {
    method,
    space,
    outputs: K,
    backgroundRows: R,
    ...(structure.note && !closedForm ? { note: structure.note } : {}),
    release: () => session.release(),
  };
  const contributionsOf = (phi: Float64Array) =>
    Array.from({ length: K }, (_, k) => Array.from(phi.subarray(k * F, (k + 1) * F)));
  const explanation = (baseline: readonly number[], phi: Float64Array, se?: Float64Array) => {
    const contributions = contributionsOf(phi);
    return {
      baseline,
      contributions,
      output: baseline.map((b, k) => b + (contributions[k] ?? []).reduce((s, v) => s + v, 0)),
      ...(se ? { standardErrors: contributionsOf(se) } : {}),
    } satisfies Explanation;
  };

  if (method === 'additive' || method === 'tree-shap') {
    const h = head as LinearHead | TreeHead;
    const C = h.fields.length;
    const bgColumns = start.columns as Float64Array;
    const columnField = Int32Array.from(h.fields, (f) => f[0] ?? -1);
    let baseline: number[];
    let explainRow: (x: Float64Array) => Float64Array;
    if (h.kind === 'linear') {
      const mean = new Float64Array(C);
      for (let r = 0; r < R; r++)
        for (let c = 0; c < C; c++)
          mean[c] = (mean[c] as number) + (bgColumns[r * C + c] as number);
      for (let c = 0; c < C; c++) mean[c] = (mean[c] as number) / R;
      baseline = h.bias.map(
        (b, k) => b + (h.weights[k] ?? []).reduce((s, w, c) => s + w * (mean[c] as number), 0),
      );
      explainRow = (x) => {
        const phi = new Float64Array(K * F);
        for (let k = 0; k < K; k++) {
          const w = h.weights[k] ?? [];
          for (let c = 0; c < C; c++) {
            const f = columnField[c] as number;
            if (f >= 0)
              phi[k * F + f] =
                (phi[k * F + f] as number) +
                (w[c] as number) * ((x[c] as number) - (mean[c] as number));
          }
        }
        return phi;
      };
    } else {
      const rows = Array.from({ length: R }, (_, r) => bgColumns.subarray(r * C, (r + 1) * C));
      const shap = treeShap(h.ensemble, columnField, F, rows);
      const sums = new Float64Array(K);
      for (const z of rows) {
        const out = ensembleOutput(h.ensemble, z);
        for (let k = 0; k < K; k++) sums[k] = (sums[k] as number) + (out[k] as number);
      }
      baseline = Array.from(sums, (s) => s / R);
      explainRow = (x) => {
        const phi = new Float64Array(K * F);
        shap(x, phi);
        return phi;
      };
    }
    return {
      ...base,
      explain: async (records) => {
        if (records.length === 0) return [];
        const { columns } = await evaluate(feedsOf(records), records.length);
        const cols = columns as Float64Array;
        return records.map((_, i) =>
          explanation(baseline, explainRow(cols.subarray(i * C, (i + 1) * C))),
        );
      },
    };
  }

  const startMeans = Array.from({ length: K }, (_, k) => {
    let s = 0;
    for (let r = 0; r < R; r++) s += start.values[r * K + k] as number;
    return s / R;
  });
  const encodeHybrids = hybridEncoder(compiled, background);
  const run = async (x: FeatureRecord, hybrids: Hybrids) =>
    (await evaluate(encodeHybrids(x, hybrids), hybrids.rows.length)).values;

  if (method === 'exact') {
    const plan = coalitionPlan(
      F,
      background,
      schema.fields.map((f) => f.name),
    );
    const coalitions = 2 ** F;
    return {
      ...base,
      explain: async (records) => {
        const out: Explanation[] = [];
        for (const x of records) {
          const values = await run(x, plan.hybrids);
          const v = new Float64Array(coalitions * K);
          v.set(startMeans, 0);
          plan.coalition.forEach((s, h) => {
            const w = plan.weight[h] as number;
            for (let k = 0; k < K; k++) {
              v[s * K + k] = (v[s * K + k] as number) + w * (values[h * K + k] as number);
            }
          });
          out.push(explanation(startMeans, shapleyFromCoalitions(v, F, K)));
        }
        return out;
      },
    };
  }

  const pairs = Math.max(1, Math.ceil(options.samples / 2));
  return {
    ...base,
    explain: async (records) => {
      const out: Explanation[] = [];
      for (const x of records) {
        const plan = permutationPlan(F, R, pairs, seededRandom(hashSeed(JSON.stringify(x))));
        const values = await run(x, plan.hybrids);
        const { phi, se } = samplingEstimate(plan, values, start.values, F, K);
        const fx = values.subarray(values.length - K);
        efficiency(phi, se, fx, startMeans, F, K);
        out.push(explanation(startMeans, phi, se));
      }
      return out;
    },
  };
}

/**
 * Makes sampled values add up: the gap between `f(x) - baseline` and their sum (the sampled
 * background rows' mean differs from the full background's) is shared in proportion to each
 * estimate's variance, equally when none has any.
 */
function efficiency(
  phi: Float64Array,
  se: Float64Array,
  fx: Float64Array,
  baseline: readonly number[],
  F: number,
  K: number,
): void {
  for (let k = 0; k < K; k++) {
    let sum = 0;
    let variance = 0;
    for (let f = 0; f < F; f++) {
      sum += phi[k * F + f] as number;
      variance += (se[k * F + f] as number) ** 2;
    }
    const gap = (fx[k] as number) - (baseline[k] as number) - sum;
    for (let f = 0; f < F; f++) {
      const share = variance > 0 ? (se[k * F + f] as number) ** 2 / variance : 1 / F;
      phi[k * F + f] = (phi[k * F + f] as number) + gap * share;
    }
  }
}
