// What one explanation costs, per method, on this machine: in-process (the explainer and a
// prediction of the same record through the same model), medians of several runs. The floors
// are the issue's: additive <= 2x a prediction, exact <= 10 ms/record (the bundled model, 200
// rows), tree-shap <= 5 ms/record (100 trees of <= 32 leaves, 200 rows), sampling <= 50 ms/record
// (30 fields). Then the served comparisons (explain-served.ts): additive /explain against
// /predict in the service's own CPU, and /predict's throughput with and without explain support.
// Usage: pnpm --filter @modelship/bench explain [--runs 7] [--records 20] [--requests 2000]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileSchema, type FeatureRecord } from '@modelship/feature-schema';
import { createExplainer, type ExplainMethod, loadModel } from '@modelship/inference';
import { insuranceModelDir, insuranceSchema } from '@modelship/insurance-model';
import {
  linearModel,
  mlpModel,
  seeded,
  treeEnsembleModel,
  wideSchema,
  writeModelDir,
} from '@modelship/testkit';
import { servedExplainCost } from './explain-served.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    records: { type: 'string', default: '20' },
    requests: { type: 'string', default: '2000' },
  },
});
const runs = Number(values.runs);
const perRun = Number(values.records);

/** Thirty numeric fields: the sampling target's model. */
const wide = wideSchema(insuranceSchema, 30);

/** CPU milliseconds (all threads of the process: onnxruntime's included) and wall ms of `f`. */
async function measure(f: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const start = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1000, wall };
}

interface Target {
  readonly name: string;
  readonly method: ExplainMethod;
  readonly floorMs?: number;
  readonly dir: string;
  readonly background: readonly FeatureRecord[];
  readonly records: readonly FeatureRecord[];
}

const insuranceRows = JSON.parse(await readFile(join(insuranceModelDir, 'profile.json'), 'utf8'))
  .background as FeatureRecord[];
const wideRows = Array.from({ length: 220 }, (_, i) => {
  const random = seeded(i + 1);
  return Object.fromEntries(wide.fields.map((f) => [f.name, Math.round(random() * 1000) / 100]));
});

const targets: Target[] = [
  {
    name: 'additive: linear, 6 fields, 200 rows',
    method: 'additive',
    dir: await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes),
    background: insuranceRows,
    records: insuranceRows,
  },
  {
    name: 'exact: the bundled model, 6 fields, 200 rows',
    method: 'exact',
    floorMs: 10,
    dir: insuranceModelDir,
    background: insuranceRows,
    records: insuranceRows,
  },
  {
    name: 'tree-shap: 100 trees of 32 leaves, 200 rows',
    method: 'tree-shap',
    floorMs: 5,
    dir: await writeModelDir(
      insuranceSchema,
      treeEnsembleModel(insuranceSchema, { records: insuranceRows, trees: 100, depth: 5 }),
    ),
    background: insuranceRows,
    records: insuranceRows,
  },
  {
    name: 'sampling: a tanh network, 30 fields, 200 rows, 256 permutations',
    method: 'sampling',
    floorMs: 50,
    dir: await writeModelDir(wide, mlpModel(wide, { scale: 0.2 })),
    background: wideRows.slice(0, 200),
    records: wideRows.slice(200),
  },
];

console.log(`explain cost: ${runs} runs of ${perRun} records each, one at a time; medians`);
console.log('(a shared, noisy machine: compare the ratio to a prediction more than the figures)');
for (const target of targets) {
  const model = await loadModel({ dir: target.dir, readProfile: false });
  const explainer = await createExplainer({
    bytes: await readFile(join(target.dir, 'model.onnx')),
    compiled: compileSchema(model.schema),
    task: model.task,
    background: target.background.slice(0, 200),
    maxExactFields: 12,
    samples: 256,
  });
  if (explainer.method !== target.method)
    throw new Error(`${target.name}: got ${explainer.method}`);
  const records = Array.from(
    { length: perRun },
    (_, i) => target.records[i % target.records.length] as FeatureRecord,
  );
  const explainCpu: number[] = [];
  const explainWall: number[] = [];
  const predictCpu: number[] = [];
  for (let r = -1; r < runs; r++) {
    const e = await measure(async () => {
      for (const x of records) await explainer.explain([x]);
    });
    const p = await measure(async () => {
      for (const x of records) await model.run([x]);
    });
    if (r < 0) continue; // warm-up
    explainCpu.push(e.cpu / perRun);
    explainWall.push(e.wall / perRun);
    predictCpu.push(p.cpu / perRun);
  }
  const cpu = median(explainCpu);
  const ratio = cpu / median(predictCpu);
  const floor =
    target.method === 'additive'
      ? `floor 2x a prediction: ${ratio <= 2 ? 'met' : 'MISSED'}`
      : `floor ${target.floorMs} ms: ${cpu <= (target.floorMs ?? 0) ? 'met' : 'MISSED'}`;
  console.log(
    `${target.name}: ${cpu.toFixed(3)} ms CPU, ${median(explainWall).toFixed(3)} ms wall per record; ${ratio.toFixed(2)}x a prediction's CPU (${median(predictCpu).toFixed(3)} ms); ${floor}`,
  );
  await explainer.release();
  await model.release();
}

const workDir = await mkdtemp(join(tmpdir(), 'modelship-explain-served-'));
try {
  await servedExplainCost({
    workDir,
    runs,
    requests: Number(values.requests),
    rows: insuranceRows,
  });
} finally {
  await rm(workDir, { recursive: true, force: true });
}
