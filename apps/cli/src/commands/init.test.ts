// `modelship init` on foreign models (exported with skl2onnx's layout, not trained here), then
// `check`, then the server's own loader: served outputs equal scikit-learn's on every row.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  foreignExpected,
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { type ClassPrediction, loadModel } from '@modelship/inference';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

const { onnx } = onnxProto;

const fixture = (name: string, file: string) => join(foreignFixtureDir(name), file);
const tempDir = () => mkdtemp(join(tmpdir(), 'modelship-cli-'));

const cases = [
  [foreignFixtures.churnBinary, 'churn'],
  [foreignFixtures.plansMulticlass, 'plan'],
  [foreignFixtures.plansMulticlassNoZipMap, 'plan'],
  [foreignFixtures.rentRegression, 'rent'],
] as const;

describe('modelship init → check → serve, on foreign models', () => {
  it.each(cases)('%s', async (name, target) => {
    const out = join(await tempDir(), 'model');
    const init = await run([
      'init',
      fixture(name, 'model.onnx'),
      '--data',
      fixture(name, 'data.csv'),
      '--target',
      target,
      '--out',
      out,
      '--version',
      '0.0.1',
    ]);
    expect(init.err).not.toMatch(/error/i);
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/^field\s+input\s+kind\s+values\s+example\s+inferred from/);
    expect((await readdir(out)).sort()).toEqual([
      'model-card.md',
      'model.onnx',
      'profile.json',
      'schema.json',
    ]);
    const check = await run(['check', out]);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^ok: model 0\.0\.1, (classification|regression)/);

    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.target.name).toBe(target);
    const model = await loadModel({ dir: out });
    const expected = foreignExpected(name);
    // Every fixture row is valid under the inferred schema (ranges and levels come from the data).
    expect(model.compiled.validateMany(expected.records).ok).toBe(true);
    const predictions = await model.run(expected.records);
    if (expected.labels) {
      expect(schema.task).toBe('classification');
      expect((predictions as ClassPrediction[]).map((p) => p.label)).toEqual(expected.labels);
      (predictions as ClassPrediction[]).forEach((p, i) => {
        p.probabilities.forEach((value, j) => {
          expect(Math.abs(value - (expected.probabilities?.[i]?.[j] as number))).toBeLessThan(1e-5);
        });
      });
    } else {
      expect(schema.task).toBe('regression');
      expect(schema.fields[0]).toMatchObject({ name: 'rooms', dtype: 'integer', min: 1, max: 6 });
      (predictions as number[]).forEach((p, i) => {
        const want = expected.predictions?.[i] as number;
        expect(Math.abs(p - want)).toBeLessThan(1e-6 * Math.abs(want) + 1e-3);
      });
    }
    await model.release();
  });

  it('without --data takes levels from the graph and leaves ranges open', async () => {
    const out = join(await tempDir(), 'churn');
    const init = await run([
      'init',
      fixture(cases[0][0], 'model.onnx'),
      '--out',
      out,
      '--name',
      'churn',
    ]);
    expect(init.code).toBe(0);
    const schema = JSON.parse(await readFile(join(out, 'schema.json'), 'utf8'));
    expect(schema.model.name).toBe('churn');
    expect(schema.fields[2]).toMatchObject({
      kind: 'categorical',
      levels: ['month-to-month', 'one-year', 'two-year'],
    });
    expect(schema.fields[0].min).toBeUndefined();
    expect((await run(['check', out])).code).toBe(0);
  });
});

describe('modelship stamp', () => {
  it('re-stamps after a schema edit that check refuses', async () => {
    const out = join(await tempDir(), 'rent');
    const name = foreignFixtures.rentRegression;
    expect((await run(['init', fixture(name, 'model.onnx'), '--out', out])).code).toBe(0);
    const path = join(out, 'schema.json');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    schema.fields[0].description = 'Number of rooms, kitchen excluded.';
    await writeFile(path, JSON.stringify(schema));
    const refused = await run(['check', out]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/model\.onnx does not belong to schema\.json/);
    const stamp = await run(['stamp', out]);
    expect(stamp.code).toBe(0);
    expect(stamp.out).toMatch(
      /stamped .*model\.onnx with modelship\.schema_fingerprint=[0-9a-f]{64}/,
    );
    expect((await run(['check', out])).code).toBe(0);
  });
});

/** A model whose one input is a [N, 3] matrix (not one column per field). */
function matrixModel(): Uint8Array {
  const { FLOAT } = onnx.TensorProto.DataType;
  const info = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matrix',
      node: [{ opType: 'Identity', input: ['X'], output: ['Y'] }],
      input: [info('X', ['N', 3])],
      output: [info('Y', ['N', 3])],
    },
  }).finish();
}

describe('modelship init on bad input: a clear message, exit 1 or 2, nothing written', () => {
  const churn = foreignFixtures.churnBinary;

  async function expectNothingWritten(parent: string) {
    expect(existsSync(join(parent, 'out'))).toBe(false);
    // no temporary directory left behind either
    expect((await readdir(parent)).filter((f) => f.startsWith('.'))).toEqual([]);
  }

  it.each([
    [
      'a file that is not ONNX',
      async (dir: string) => {
        const path = join(dir, 'notes.onnx');
        await writeFile(path, 'this is not a model');
        return [path];
      },
      1,
      /notes\.onnx is not an ONNX model/,
    ],
    [
      'an input of an unsupported shape',
      async (dir: string) => {
        const path = join(dir, 'matrix.onnx');
        await writeFile(path, matrixModel());
        return [path];
      },
      1,
      /input "X" has shape \[N, 3\]; init supports one \[N, 1\] input per column/,
    ],
    [
      'a CSV without a column the model needs',
      async (dir: string) => {
        const csv = join(dir, 'train.csv');
        const data = await readFile(fixture(churn, 'data.csv'), 'utf8');
        await writeFile(csv, data.replace('monthly_charges', 'monthly_fee'));
        return [fixture(churn, 'model.onnx'), '--data', csv];
      },
      1,
      /train\.csv has no column "monthly_charges", which the model needs as input/,
    ],
    [
      'a target that is not in the CSV',
      async () => [
        fixture(churn, 'model.onnx'),
        '--data',
        fixture(churn, 'data.csv'),
        '--target',
        'churned',
      ],
      2,
      /--target churned: no such column in .*data\.csv \(columns: tenure, monthly_charges, contract, churn\)/,
    ],
    [
      'a value that is not a number',
      async (dir: string) => {
        const csv = join(dir, 'train.csv');
        const data = await readFile(fixture(churn, 'data.csv'), 'utf8');
        const lines = data.split('\n');
        lines[3] = lines[3]?.replace(/^\d+/, 'n/a') ?? '';
        await writeFile(csv, lines.join('\n'));
        return [fixture(churn, 'model.onnx'), '--data', csv];
      },
      1,
      /train\.csv line 4, column "tenure": "n\/a" is not a number/,
    ],
    [
      'an unknown flag',
      async () => [fixture(churn, 'model.onnx'), '--outdir', 'x'],
      2,
      /Unknown option '--outdir'/,
    ],
  ])('%s', async (_what, args, code, message) => {
    const parent = await tempDir();
    const extra = await args(parent);
    const result = await run(['init', ...extra, '--out', join(parent, 'out')]);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(code);
    await expectNothingWritten(parent);
  });

  it('refuses an existing --out without --force, and replaces it with --force', async () => {
    const parent = await tempDir();
    const out = join(parent, 'out');
    const model = fixture(churn, 'model.onnx');
    expect((await run(['init', model, '--out', out])).code).toBe(0);
    await writeFile(join(out, 'keep.txt'), 'mine');
    const refused = await run(['init', model, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /--out .*out already exists: choose another directory, or pass --force/,
    );
    expect(existsSync(join(out, 'keep.txt'))).toBe(true);
    expect((await run(['init', model, '--out', out, '--force'])).code).toBe(0);
    // Without --data: no profile.json (drift monitoring off).
    expect((await readdir(out)).sort()).toEqual(['model-card.md', 'model.onnx', 'schema.json']);
    expect((await readdir(parent)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('usage', () => {
  it.each(['init', 'check', 'stamp', 'profile', 'serve', 'synth', 'build'])(
    '%s --help prints its usage and an example',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`^Usage: modelship ${command}`));
      expect(result.out).toMatch(/Example:\n {2}modelship /);
    },
  );

  it('answers an unknown command or a missing argument with exit 2', async () => {
    expect((await run(['deploy'])).code).toBe(2);
    const missing = await run(['init', fixture(foreignFixtures.churnBinary, 'model.onnx')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--out DIR is required/);
    expect((await run(['check'])).code).toBe(2);
    expect((await run(['serve', '/tmp', '--port', 'http'])).code).toBe(2);
  });
});
