// Every exporter fixture (PyTorch, LightGBM, ... as their exporters write them; see
// packages/feature-schema/test-fixtures/exporters) as a user takes it: `modelship init` with only
// --data and --target (plus the flags the data cannot tell), `check`, then the service over real
// HTTP, answering the framework's own labels, probabilities and values on every committed row.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  type ExporterExpected,
  exporterFixtures,
} from '@modelship/feature-schema/test-fixtures/exporters.ts';
import { createLogger, externalDataFiles, loadConfig, startService } from '@modelship/inference';
import { afterAll, describe, expect, it } from 'vitest';
import { INIT_FILES, initExporterFixture, run } from '../testing.ts';

/** The worst difference from the framework's predictions, per framework (printed at the end). */
const worst = new Map<string, { probabilities: number; values: number }>();

afterAll(() => {
  console.log(
    `/explain: worst additivity gap ${Math.max(...additivity).toExponential(2)}; ${[...explainedBy].map(([f, m]) => `${f}: ${m}`).join(', ')}`,
  );
  for (const [framework, w] of worst) {
    console.log(
      `${framework}: worst |Δ| probability ${w.probabilities.toExponential(2)}, worst relative Δ value ${w.values.toExponential(2)}`,
    );
  }
});

/** The additivity gaps of the explanations checked, and each framework's method (printed at the end). */
const additivity: number[] = [];
const explainedBy = new Map<string, string>();

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1);

/**
 * How far an explanation is from additive: baseline + Σ contributions against its `output`,
 * and that output against the prediction (value), the probabilities (probability), or the
 * probabilities through a softmax or per-class logistic (margin).
 */
// biome-ignore lint/suspicious/noExplicitAny: plain JSON bodies
function explanationGaps(e: any, space: string, classes: readonly unknown[]): number[] {
  if (space === 'value') {
    return [
      relative(e.baseline + sum(e.contributions), e.output),
      relative(e.output, e.prediction),
    ];
  }
  const labels = classes.map(String);
  const outputs = labels.map((c) => e.baseline[c] + sum(e.contributions[c]));
  const gaps = labels.map((c, k) => relative(outputs[k] as number, e.output[c]));
  const p = labels.map((c) => e.probabilities[c] as number);
  if (space === 'probability')
    return [...gaps, ...outputs.map((o, k) => Math.abs(o - (p[k] as number)))];
  const top = Math.max(...outputs);
  const exp = outputs.map((o) => Math.exp(o - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const softmax = Math.max(...exp.map((v, k) => Math.abs(v / total - (p[k] as number))));
  const logistic = Math.max(
    ...outputs.map((o, k) => Math.abs(1 / (1 + Math.exp(-o)) - (p[k] as number))),
  );
  return [...gaps, Math.min(softmax, logistic)];
}

const silent = () =>
  createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function served(dir: string, expected: ExporterExpected) {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MODEL_DIR: dir });
  const service = await startService({ config, logger: silent(), exit: () => {} });
  const base = `http://127.0.0.1:${service.port}`;
  // biome-ignore lint/suspicious/noExplicitAny: plain JSON bodies
  const predict = async (records: readonly unknown[]): Promise<any> => {
    const res = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(records.length === 1 ? records[0] : { instances: records }),
    });
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON bodies
    const body: any = await res.json();
    return records.length === 1
      ? {
          predictions: [body.prediction],
          probabilities: body.probabilities ? [body.probabilities] : undefined,
        }
      : body;
  };
  const classes = expected.classes ?? [];
  const answers = {
    labels: [] as unknown[],
    probabilities: [] as number[][],
    values: [] as number[],
  };
  try {
    for (const size of [1, 2, 64]) {
      const labels: unknown[] = [];
      const probabilities: number[][] = [];
      for (let i = 0; i < expected.records.length; i += size) {
        const body = await predict(expected.records.slice(i, i + size));
        labels.push(...body.predictions);
        for (const row of body.probabilities ?? []) {
          probabilities.push(classes.map((c) => row[String(c)] as number));
        }
      }
      expect(labels, `batches of ${size}`).toHaveLength(expected.records.length);
      if (size === 1) {
        answers.labels = labels;
        answers.probabilities = probabilities;
        answers.values = labels as number[];
      } else {
        // Batches answer exactly what single records do.
        expect(labels).toEqual(answers.labels);
        expect(probabilities).toEqual(answers.probabilities);
      }
    }
    // /explain against the profile's background rows: baseline + Σ contributions is the model's
    // output in the explained space, which gives back the prediction (or the probabilities).
    const res = await fetch(`${base}/explain`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instances: expected.records.slice(0, 3) }),
    });
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON bodies
    const explained: any = await res.json();
    for (const [i, e] of explained.explanations.entries()) {
      const gaps = explanationGaps(e, explained.space, classes);
      additivity.push(...gaps);
      expect(Math.max(...gaps), `explanation ${i}`).toBeLessThan(1e-5);
      expect(e.prediction).toEqual(answers.labels[i]);
    }
    explainedBy.set(
      `${expected.framework} ${expected.task} (${Object.keys(expected.records[0] ?? {}).length} fields)`,
      `${explained.method}/${explained.space}`,
    );
    // The Open Inference Protocol: one input per field, the label (or value) as its first output.
    const records = expected.records;
    const fields = Object.keys(records[0] ?? {});
    const oip = await fetch(`${base}/v2/models/model/infer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        inputs: fields.map((name) => ({
          name,
          datatype: 'FP64',
          shape: [records.length, 1],
          data: records.map((r) => r[name]),
        })),
      }),
    });
    expect(oip.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON bodies
    const [first] = ((await oip.json()) as any).outputs;
    expect(first.name).toBe(expected.target);
    if (expected.task === 'classification') {
      expect(first.datatype).toBe(typeof classes[0] === 'string' ? 'BYTES' : 'INT64');
      expect(first.data).toEqual(answers.labels);
    } else {
      expect(first.data).toEqual(answers.values);
    }
  } finally {
    await service.shutdown.begin('test done');
  }
  return answers;
}

describe('modelship init → check → serve, on every exporter fixture', () => {
  it.each(Object.values(exporterFixtures))('%s', async (name) => {
    const { expected, out, init } = await initExporterFixture(name);
    expect(init.err).not.toMatch(/error/i);
    expect(init.code).toBe(0);
    // Self-contained: side files' weights inside model.onnx, nothing else beside it.
    expect((await readdir(out)).sort()).toEqual([...INIT_FILES]);
    expect(externalDataFiles(await readFile(join(out, 'model.onnx')))).toEqual([]);
    const check = await run(['check', out]);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(new RegExp(`^ok: model 1\\.0\\.0, ${expected.task}`));

    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.fields.map((f: { name: string }) => f.name)).toEqual(
      Object.keys(expected.records[0] ?? {}),
    );
    const answers = await served(out, expected);
    const w = worst.get(expected.framework) ?? { probabilities: 0, values: 0 };
    if (expected.task === 'classification') {
      expect(answers.labels).toEqual(expected.labels);
      answers.probabilities.forEach((row, i) => {
        row.forEach((p, j) => {
          const d = Math.abs(p - (expected.probabilities?.[i]?.[j] as number));
          w.probabilities = Math.max(w.probabilities, d);
          expect(d, `row ${i} class ${j}`).toBeLessThan(1e-5);
        });
      });
    } else {
      answers.values.forEach((v, i) => {
        const want = expected.values?.[i] as number;
        const d = Math.abs(v - want) / Math.max(Math.abs(want), 1e-12);
        w.values = Math.max(w.values, d);
        expect(d, `row ${i}: ${v} vs ${want}`).toBeLessThan(1e-5);
      });
    }
    worst.set(expected.framework, w);
  });
});
