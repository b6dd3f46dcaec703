// `modelship check` lists every problem of a directory at once, where the server's loader
// (unchanged) stops at the first.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel, type ModelLoadError } from '@modelship/inference';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

const churn = foreignFixtureDir(foreignFixtures.churnBinary);
let parent: string;

/** A fresh model directory made by `init` from the churn fixture. */
async function churnDir(name: string): Promise<string> {
  const out = join(parent, name);
  const init = await run(['init', join(churn, 'model.onnx'), '--out', out, '--name', 'churn']);
  expect(init.code).toBe(0);
  return out;
}

/** The parts of schema.json these tests break. */
interface EditableSchema {
  fields: Record<string, unknown>[];
  inputs: { inputs: { input: string; type: string }[] };
  output: Record<string, unknown>;
}

async function editSchema(dir: string, edit: (schema: EditableSchema) => void) {
  const path = join(dir, 'schema.json');
  const schema = JSON.parse(await readFile(path, 'utf8'));
  edit(schema);
  await writeFile(path, JSON.stringify(schema, null, 2));
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'modelship-check-test-'));
});

describe('modelship check', () => {
  it('lists a stale fingerprint and every layout mismatch together', async () => {
    const dir = await churnDir('layout');
    await editSchema(dir, (schema) => {
      (schema.inputs.inputs[0] as { type: string }).type = 'float32'; // the graph's tenure is int64
      (schema.inputs.inputs[2] as { input: string }).input = 'contract_type'; // no such graph input
    });
    // The server's loader reports only the first problem it meets.
    await expect(loadModel({ dir })).rejects.toThrow(/does not belong to schema\.json/);

    const result = await run(['check', dir]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    const lines = result.err.split('\n');
    expect(lines[0]).toBe(`modelship check: ${dir} cannot be served (4 problems):`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^ {2}- .*layout\/model\.onnx does not belong to schema\.json: model was trained for schema [0-9a-f]{64}, but schema\.json has fingerprint [0-9a-f]{64} \(after editing schema\.json, run modelship stamp /,
      ),
      expect.stringMatching(
        /^ {2}- .*layout\/model\.onnx does not match the layout in schema\.json: input "tenure" has element type int64, expected float32$/,
      ),
      expect.stringMatching(
        /^ {2}- .*layout\/model\.onnx does not match the layout in schema\.json: the model has no input named "contract_type"$/,
      ),
      expect.stringMatching(/model\.onnx .*: the model input "contract" is not in the schema$/),
    ]);
    // never the temporary copy's path
    expect(result.err).not.toMatch(/modelship-check-[^t]/);
  });

  it('lists every schema issue and a model file that is not ONNX', async () => {
    const dir = await churnDir('broken');
    await editSchema(dir, (schema) => {
      (schema.fields[0] as Record<string, unknown>).min = 'zero';
      schema.output.name = 42;
    });
    await writeFile(join(dir, 'model.onnx'), 'not a model');
    const result = await run(['check', dir]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/cannot be served \(3 problems\):/);
    expect(result.err).toMatch(/ {2}- .*broken\/schema\.json: fields\.0\.min: .+\n/);
    expect(result.err).toMatch(/ {2}- .*broken\/schema\.json: output\.name: .+\n/);
    expect(result.err).toMatch(/ {2}- .*broken\/model\.onnx: not a valid ONNX model: /);
  });

  it('names a missing directory and missing files', async () => {
    const missing = await run(['check', join(parent, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nowhere: no such directory/);
    const empty = await mkdtemp(join(parent, 'empty-'));
    const result = await run(['check', empty]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /\(2 problems\):\n {2}- .*schema\.json: not found\n {2}- .*model\.onnx: not found$/,
    );
  });

  it('passes a directory the server loads, with the loader agreeing', async () => {
    const dir = await churnDir('good');
    const result = await run(['check', dir]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ok: churn 1\.0\.0, classification \(classes: no, yes\)/);
    const model = await loadModel({ dir }).catch((error: ModelLoadError) => error);
    expect(model).not.toBeInstanceOf(Error);
    if (!(model instanceof Error)) await model.release();
  });
});
