// `modelship init` on the layouts other exporters write, built here as small graphs: one [N, F]
// input (column order, --features), classifiers without a label output (--classes, the target
// column, --task), weights in a side file, a fixed batch; and every refusal: what was wrong and
// what to do, a non-zero exit, nothing written.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FINGERPRINT_METADATA_KEY } from '@modelship/feature-schema';
import { type ClassPrediction, loadModel, writeOnnxMetadata } from '@modelship/inference';
import { type DenseModelOptions, denseModel } from '@modelship/testkit';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { selfContained } from '../infer/external-data.ts';
import { INIT_FILES, run, standInTools } from '../testing.ts';

const { onnx } = onnxProto;
const tempDir = () => mkdtemp(join(tmpdir(), 'modelship-layouts-'));

/** Rows of small numbers, one column per name, plus the target's values. */
function csv(columns: readonly string[], target: string, targets: readonly (string | number)[]) {
  const rows = targets.map((t, i) =>
    [...columns.map((_, j) => (((i * 7 + j * 3) % 11) - 5) / 2), t].join(','),
  );
  return [
    [...columns.map((c) => (c.includes(',') ? `"${c}"` : c)), target].join(','),
    ...rows,
  ].join('\n');
}

/** A dense model and its CSV written into a new directory. */
async function setup(
  options: DenseModelOptions,
  columns: readonly string[],
  targets: readonly (string | number)[],
) {
  const dir = await tempDir();
  const model = denseModel(options);
  await writeFile(join(dir, 'model.onnx'), model.bytes);
  for (const [name, bytes] of Object.entries(model.sideFiles))
    await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, 'train.csv'), csv(columns, 'y', targets));
  return { dir, model, path: join(dir, 'model.onnx'), data: join(dir, 'train.csv') };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i % 2);

/** `modelship init` on a model and its CSV (target `y`), with extra flags. */
const initWith = (files: { path: string; data: string }, out: string, ...flags: string[]) =>
  run(['init', files.path, '--data', files.data, '--target', 'y', ...flags, '--out', out]);

describe('one [N, F] input', () => {
  it("maps it to the data's columns besides the target, in file order, named as the data has them", async () => {
    const columns = ['mean radius', 'od280/od315_of_diluted_wines', 'x'];
    const { dir, model, path, data } = await setup(
      { features: 3, kind: 'regression' },
      columns,
      ids(20),
    );
    const out = join(dir, 'out');
    const init = await initWith({ path, data }, out);
    expect(init.code).toBe(0);
    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.fields.map((f: { name: string }) => f.name)).toEqual(columns);
    expect(schema.fields[0]).toMatchObject({
      kind: 'numeric',
      dtype: 'float',
      min: -2.5,
      max: 2.5,
    });
    expect(schema.inputs).toEqual({
      layout: 'matrix',
      input: 'input',
      features: columns.map((field) => ({ kind: 'numeric', field })),
    });
    const served = await loadModel({ dir: out });
    const record = { 'mean radius': 1, 'od280/od315_of_diluted_wines': -2, x: 0.5 };
    const [value] = (await served.run([record])) as number[];
    expect(
      Math.abs((value as number) - (model.reference([[1, -2, 0.5]])[0]?.value as number)),
    ).toBeLessThan(1e-5);
    await served.release();
  });

  it('--features gives the order when the file has another one', async () => {
    const { dir, model, path, data } = await setup(
      { features: 3, kind: 'regression' },
      ['c', 'a', 'b'],
      ids(10),
    );
    const out = join(dir, 'out');
    const init = await initWith({ path, data }, out, '--features', 'a,b,c');
    expect(init.code).toBe(0);
    const served = await loadModel({ dir: out });
    expect(served.schema.fields.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    const [value] = (await served.run([{ a: 1, b: 2, c: -1 }])) as number[];
    expect(
      Math.abs((value as number) - (model.reference([[1, 2, -1]])[0]?.value as number)),
    ).toBeLessThan(1e-5);
    await served.release();
  });

  it('int64 and float64 inputs: integer fields, and the type in the schema', async () => {
    const { dir, path, data } = await setup(
      { features: 2, kind: 'regression', inputType: 'int64' },
      ['a', 'b'],
      ids(6),
    );
    await writeFile(data, 'a,b,y\n1,2,0\n3,-4,1\n0,5,0\n');
    const out = join(dir, 'out');
    expect((await initWith({ path, data }, out)).code).toBe(0);
    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.inputs.type).toBe('int64');
    expect(schema.fields[1]).toMatchObject({ dtype: 'integer', min: -4, max: 5 });
  });
});

describe('classifiers without class names in the graph', () => {
  it('a softmax alone: task and classes from the target column (sorted as LabelEncoder sorts)', async () => {
    const targets = Array.from(
      { length: 30 },
      (_, i) => ['setosa', 'virginica', 'versicolor'][i % 3] as string,
    );
    const { dir, path, data } = await setup(
      { features: 2, kind: 'probabilities', classes: 3 },
      ['p', 'q'],
      targets,
    );
    const out = join(dir, 'out');
    const init = await initWith({ path, data }, out);
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/task: classification \(classes: setosa, versicolor, virginica\)/);
    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.output).toEqual({
      name: 'probabilities',
      probabilities: 'probabilities',
      label: 'argmax',
      classes: ['setosa', 'versicolor', 'virginica'],
    });
    const profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8'));
    expect(profile.prediction.kind).toBe('classes');
  });

  it('sorts numbers numerically, and --classes names integer labels', async () => {
    const targets = Array.from({ length: 12 }, (_, i) => [10, 9][i % 2] as number);
    const { dir, model, path, data } = await setup(
      { features: 2, kind: 'label+probabilities' },
      ['p', 'q'],
      targets,
    );
    const plain = join(dir, 'plain');
    // Its label output holds class indices (0, 1), not the target's values (9, 10).
    const indices = await initWith({ path, data }, plain);
    expect(indices.code).toBe(1);
    expect(indices.err).toMatch(
      /not one of its classes \(9, 10\).*give --classes with one label per probability column/,
    );
    expect(existsSync(plain)).toBe(false);
    const named = join(dir, 'named');
    const init = await initWith({ path, data }, named, '--classes', 'malignant,benign');
    expect(init.code).toBe(0);
    const served = await loadModel({ dir: named });
    const rows = [
      [2, -1],
      [-3, 2],
      [0, 0],
    ];
    const predictions = (await served.run(
      rows.map(([p, q]) => ({ p: p as number, q: q as number })),
    )) as ClassPrediction[];
    expect(predictions.map((p) => p.label)).toEqual(
      model.reference(rows).map((r) => ['malignant', 'benign'][r.label as number]),
    );
    await served.release();
  });

  it('--classes alone, with --features instead of data', async () => {
    const { dir, path } = await setup({ features: 2, kind: 'probabilities' }, ['p', 'q'], ids(2));
    const out = join(dir, 'out');
    const init = await run([
      'init',
      path,
      '--features',
      'p,q',
      '--classes',
      'no,yes',
      '--out',
      out,
    ]);
    expect(init.code).toBe(0);
    expect((await run(['check', out])).out).toMatch(/classification \(classes: no, yes\)/);
  });
});

describe('weights in a side file and a fixed batch', () => {
  it('stores the weights inside model.onnx; check reports a fixed batch dimension', async () => {
    const { dir, model, path, data } = await setup(
      { features: 3, kind: 'probabilities', batch: 1, externalData: 'model.onnx.data' },
      ['a', 'b', 'c'],
      ids(10),
    );
    const out = join(dir, 'out');
    const init = await initWith({ path, data }, out);
    expect(init.code).toBe(0);
    expect(init.err).toMatch(/weights of model\.onnx\.data stored inside model\.onnx/);
    expect(init.err).toMatch(/batch dimension is fixed at 1/);
    expect((await readdir(out)).sort()).toEqual([...INIT_FILES]);
    const check = await run(['check', out]);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(
      /info: the model's batch dimension is fixed at 1; the server runs batches of any size in chunks of 1/,
    );
    const served = await loadModel({ dir: out });
    const rows = [
      [1, 2, 3],
      [-1, 0, 2],
      [0.5, -2, 1],
    ];
    const predictions = (await served.run(
      rows.map(([a, b, c]) => ({ a, b, c }) as Record<string, number>),
    )) as ClassPrediction[];
    expect(predictions.map((p) => p.label)).toEqual(model.reference(rows).map((r) => r.label));
    await served.release();
  });

  it('above the 2 GB limit keeps the side files: copied beside model.onnx, checked, built, published', async () => {
    const { dir, model, path, data } = await setup(
      { features: 3, kind: 'regression', externalData: 'model.onnx.data' },
      ['a', 'b', 'c'],
      ids(10),
    );
    const kept = await selfContained(path, model.bytes, 1);
    expect(kept).toEqual({
      bytes: model.bytes,
      inlined: [],
      sideFiles: { 'model.onnx.data': { from: join(dir, 'model.onnx.data') } },
    });
    // A directory as init writes it for such a model: the stamped model and its side file.
    const out = join(dir, 'out');
    expect((await initWith({ path, data }, out)).code).toBe(0);
    const stamp = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    const fingerprint = (await loadModel({ dir: out })).identity.fingerprint;
    expect(stamp.inputs.input).toBe('input');
    await writeFile(
      join(out, 'model.onnx'),
      writeOnnxMetadata(model.bytes, { [FINGERPRINT_METADATA_KEY]: fingerprint }),
    );
    await copyFile(join(dir, 'model.onnx.data'), join(out, 'model.onnx.data'));
    const check = await run(['check', out]);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(
      /info: weights in side files beside model\.onnx, found: model\.onnx\.data/,
    );
    const publish = await run(['publish', out, 'gs://acme-models/dense']);
    expect(publish.code).toBe(0);
    expect(publish.out).toMatch(/storage cp --no-clobber .*model\.onnx\.data/);
    // build: a stand-in engine records the model files of its build context (the last argument).
    const { dir: bin } = await standInTools('modelship-side-files-', {
      podman: `#!/bin/sh\neval "context=\\\${$#}"\nls "$context/model" > "$LISTING"\n`,
    });
    process.env.LISTING = join(bin, 'listing');
    const build = await run([
      'build',
      out,
      '--image',
      'example.com/dense:1.0.0',
      '--base',
      'localhost/modelship-inference:test',
      '--engine',
      'podman',
    ]);
    expect(build.code).toBe(0);
    expect((await readFile(join(bin, 'listing'), 'utf8')).split('\n').filter(Boolean)).toEqual([
      'model-card.md',
      'model.onnx',
      'model.onnx.data',
      'profile.json',
      'schema.json',
    ]);
    await rm(join(out, 'model.onnx.data'));
    const missing = await run(['check', out]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(
      /keeps its weights in "model\.onnx\.data", which is not in .*external_data=False/,
    );
  });
});

/** A graph of one Identity-like path from `inputs` to `outputs`, for the refusals. */
function graphModel(
  inputs: { name: string; type: object }[],
  outputs: { name: string; type: object }[],
  node: object[],
): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'g', node, input: inputs, output: outputs },
  }).finish();
}
const tensor = (elemType: number, dims: (number | string)[]) => ({
  tensorType: {
    elemType,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
  },
});
const { FLOAT, INT32 } = onnx.TensorProto.DataType;

describe('one [N, 1] input per column, named as the data', () => {
  it('keeps an input name the data has as a column (spaces and punctuation included)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.onnx');
    await writeFile(
      path,
      graphModel(
        [
          { name: 'mean radius', type: tensor(FLOAT, ['N', 1]) },
          { name: 'input:0', type: tensor(FLOAT, ['N', 1]) },
        ],
        [{ name: 'y', type: tensor(FLOAT, ['N', 1]) }],
        [{ opType: 'Add', input: ['mean radius', 'input:0'], output: ['y'] }],
      ),
    );
    const data = join(dir, 'train.csv');
    await writeFile(data, 'mean radius,input_0,target\n1.5,2,3.5\n2.5,1,3.5\n');
    const out = join(dir, 'out');
    const init = await run(['init', path, '--data', data, '--target', 'target', '--out', out]);
    expect(init.code).toBe(0);
    const served = await loadModel({ dir: out });
    expect(served.schema.fields.map((f) => f.name)).toEqual(['mean radius', 'input_0']);
    expect(await served.run([{ 'mean radius': 1.25, input_0: 2 }])).toEqual([3.25]);
    await served.release();
  });
});

describe('refusals: what was wrong and what to do, exit 1 or 2, nothing written', () => {
  const refusals: [string, () => Promise<{ args: string[]; parent: string }>, number, RegExp][] = [
    [
      'an [N, F] input whose width is not the number of columns',
      async () => {
        const { dir, path, data } = await setup(
          { features: 3, kind: 'regression' },
          ['a', 'b', 'c', 'd'],
          ids(4),
        );
        return { parent: dir, args: [path, '--data', data, '--target', 'y'] };
      },
      1,
      /input "input" has 3 columns but train\.csv has 4 columns besides the target "y" \(a, b, c, d\): give --target .* and --features with the model's 3 columns/,
    ],
    [
      'an [N, F] input without --data or --features',
      async () => {
        const { dir, path } = await setup(
          { features: 3, kind: 'regression' },
          ['a', 'b', 'c'],
          ids(2),
        );
        return { parent: dir, args: [path] };
      },
      1,
      /input "input" has shape \[N, 3\]; init supports one \[N, 1\] input per column, or one \[N, F\] input with --data CSV --target COLUMN .* or --features a,b,c/,
    ],
    [
      'several [N, k] inputs',
      async () => {
        const dir = await tempDir();
        const path = join(dir, 'two.onnx');
        await writeFile(
          path,
          graphModel(
            [
              { name: 'left', type: tensor(FLOAT, ['N', 2]) },
              { name: 'right', type: tensor(FLOAT, ['N', 3]) },
            ],
            [{ name: 'y', type: tensor(FLOAT, ['N', 5]) }],
            [
              {
                opType: 'Concat',
                input: ['left', 'right'],
                output: ['y'],
                attribute: [{ name: 'axis', type: 2, i: 1 }],
              },
            ],
          ),
        );
        return { parent: dir, args: [path, '--features', 'a,b,c,d,e'] };
      },
      1,
      /several inputs \("left" \[N, 2\], "right" \[N, 3\]\); init maps one \[N, F\] input .*: export one input with every column/,
    ],
    [
      'an unsupported element type',
      async () => {
        const dir = await tempDir();
        const path = join(dir, 'int32.onnx');
        await writeFile(
          path,
          graphModel(
            [{ name: 'x', type: tensor(INT32, ['N', 1]) }],
            [{ name: 'y', type: tensor(FLOAT, ['N', 1]) }],
            [
              {
                opType: 'Cast',
                input: ['x'],
                output: ['y'],
                attribute: [{ name: 'to', type: 2, i: FLOAT }],
              },
            ],
          ),
        );
        return { parent: dir, args: [path] };
      },
      1,
      /input "x" has element type int32; supported: float32, float64, int64, string: cast it in the model before exporting/,
    ],
    [
      'an input that is not a tensor',
      async () => {
        const dir = await tempDir();
        const path = join(dir, 'sequence.onnx');
        await writeFile(
          path,
          graphModel(
            [{ name: 'rows', type: { sequenceType: { elemType: tensor(FLOAT, ['N', 1]) } } }],
            [{ name: 'y', type: tensor(FLOAT, ['N', 1]) }],
            [
              {
                opType: 'Constant',
                output: ['zero'],
                attribute: [
                  { name: 'value', type: 4, t: { dataType: 7, dims: [], int64Data: [0] } },
                ],
              },
              { opType: 'SequenceAt', input: ['rows', 'zero'], output: ['y'] },
            ],
          ),
        );
        return { parent: dir, args: [path] };
      },
      1,
      /input "rows" is not a tensor \(a sequence or a map\); init reads tensor inputs only: export the model with tensor inputs/,
    ],
    [
      'outputs init cannot read',
      async () => {
        const dir = await tempDir();
        const path = join(dir, 'two-outputs.onnx');
        await writeFile(
          path,
          graphModel(
            [{ name: 'x', type: tensor(FLOAT, ['N', 1]) }],
            [
              { name: 'y1', type: tensor(FLOAT, ['N', 1]) },
              { name: 'y2', type: tensor(FLOAT, ['N', 1]) },
            ],
            [
              { opType: 'Identity', input: ['x'], output: ['y1'] },
              { opType: 'Neg', input: ['x'], output: ['y2'] },
            ],
          ),
        );
        return { parent: dir, args: [path] };
      },
      1,
      /cannot tell what the model predicts from its outputs \(y1 float32 \[N, 1\], y2 float32 \[N, 1\]\); expected .*: export only those outputs, or write schema\.json by hand/,
    ],
    [
      'a missing side file',
      async () => {
        const { dir, path, data } = await setup(
          { features: 2, kind: 'regression', externalData: 'model.onnx.data' },
          ['a', 'b'],
          ids(4),
        );
        await rm(join(dir, 'model.onnx.data'));
        return { parent: dir, args: [path, '--data', data, '--target', 'y'] };
      },
      1,
      /keeps its weights in "model\.onnx\.data", which is not beside it in .*: copy it there .*, or re-export with the weights inside \(torch\.onnx\.export\(\.\.\., external_data=False\)\)/,
    ],
    [
      'a target with another number of classes than the probabilities',
      async () => {
        const { dir, path, data } = await setup(
          { features: 2, kind: 'probabilities', classes: 3 },
          ['a', 'b'],
          ids(6),
        );
        return { parent: dir, args: [path, '--data', data, '--target', 'y'] };
      },
      1,
      /the target column "y" of train\.csv has 2 distinct values but the model's probabilities have 3 columns: give --classes a,b,c/,
    ],
    [
      'a softmax without classes from anywhere',
      async () => {
        const { dir, path } = await setup(
          { features: 2, kind: 'probabilities' },
          ['a', 'b'],
          ids(2),
        );
        return { parent: dir, args: [path, '--features', 'a,b'] };
      },
      1,
      /the graph carries no class labels: give --classes a,b,c .*, or --data CSV --target COLUMN/,
    ],
    [
      '--classes for another number of columns',
      async () => {
        const { dir, path, data } = await setup(
          { features: 2, kind: 'probabilities' },
          ['a', 'b'],
          ids(4),
        );
        return { parent: dir, args: [path, '--data', data, '--target', 'y', '--classes', 'a,b,c'] };
      },
      2,
      /--classes names 3 classes but the model's probabilities have 2 columns/,
    ],
    [
      '--task that the outputs contradict',
      async () => {
        const { dir, path, data } = await setup(
          { features: 2, kind: 'regression' },
          ['a', 'b'],
          ids(4),
        );
        return {
          parent: dir,
          args: [path, '--data', data, '--target', 'y', '--task', 'classification'],
        };
      },
      2,
      /--task classification: .* outputs one value per row \("output"\); a classifier needs its class probabilities as an \[N, C\] output/,
    ],
    [
      'fractional data for an int64 input',
      async () => {
        const { dir, path, data } = await setup(
          { features: 2, kind: 'regression', inputType: 'int64' },
          ['a', 'b'],
          ids(4),
        );
        return { parent: dir, args: [path, '--data', data, '--target', 'y'] };
      },
      1,
      /column "a": the model's input "input" is int64 but the data holds fractional values/,
    ],
  ];

  it.each(refusals)('%s', async (_what, setupCase, code, message) => {
    const { args, parent } = await setupCase();
    const before = (await readdir(parent)).sort();
    const result = await run(['init', ...args, '--out', join(parent, 'out')]);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(code);
    expect(existsSync(join(parent, 'out'))).toBe(false);
    expect((await readdir(parent)).sort()).toEqual(before);
  });
});
