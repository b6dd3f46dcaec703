// The layouts other exporters write, loaded by the real loader into real onnxruntime sessions:
// one [N, F] input, a softmax without a label output, integer labels with class names, weights
// in a side file, a fixed batch dimension.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FINGERPRINT_METADATA_KEY,
  parseSchema,
  schemaFingerprint,
} from '@modelship/feature-schema';
import { insuranceModelDir } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { denseModelDir, rowsOf } from '../testing/dense-model-dir.ts';
import { loadModel, ModelLoadError } from './load.ts';
import { writeOnnxMetadata } from './onnx-metadata.ts';
import type { ClassPrediction } from './task.ts';

/** `n` distinct records over the fields: small numbers of either sign. */
function recordsFor(fields: readonly string[], n: number, integers = false) {
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      fields.map((name, j) => {
        const x = ((i * 5 + j * 3) % 11) - 5;
        return [name, integers ? x : x / 2 + j / 10];
      }),
    ),
  );
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-5;

describe('a classifier without a label output (softmax only)', () => {
  it('predicts the class of the highest probability, with names for the class indices', async () => {
    const fields = ['mean radius', 'od280/od315_of_diluted_wines', 'x'];
    const { dir, schema, model: twin } = await denseModelDir({
      features: 3,
      kind: 'probabilities',
      classes: 3,
      fields,
      classLabels: ['class_0', 'class_1', 'class_2'],
    });
    const model = await loadModel({ dir });
    expect(model.task).toMatchObject({
      kind: 'classification',
      classes: ['class_0', 'class_1', 'class_2'],
      labelType: 'string',
      labelSource: { kind: 'argmax' },
    });
    const records = recordsFor(fields, 64);
    const predictions = (await model.run(records)) as ClassPrediction[];
    const expected = twin.reference(rowsOf(schema, records));
    expect(predictions.map((p) => p.label)).toEqual(expected.map((e) => `class_${e.label}`));
    expect(new Set(predictions.map((p) => p.label)).size).toBe(3);
    predictions.forEach((p, i) => {
      p.probabilities.forEach((v, j) => {
        expect(near(v, expected[i]?.probabilities?.[j] as number)).toBe(true);
      });
    });
    await model.release();
  });

  it('gives a tie to the first class', async () => {
    // Softmax of equal logits gives bit-equal probabilities: an exact tie.
    const { dir } = await denseModelDir({
      features: 2,
      kind: 'probabilities',
      classes: 2,
      fields: ['a', 'b'],
      classLabels: ['first', 'second'],
      weights: { w: [1, 0, 0, 1], b: [0, 0] },
    });
    const model = await loadModel({ dir });
    const [tie, second] = (await model.run([
      { a: 2, b: 2 },
      { a: 1, b: 3 },
    ])) as ClassPrediction[];
    expect(tie?.probabilities).toEqual([0.5, 0.5]);
    expect(tie?.label).toBe('first');
    expect(second?.label).toBe('second');
    await model.release();
  });

  it('refuses a schema without classes, naming output.classes', async () => {
    const { dir } = await denseModelDir({ features: 2, kind: 'probabilities' });
    const schema = JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8'));
    delete schema.output.classes;
    await writeFile(join(dir, 'schema.json'), JSON.stringify(schema));
    const bytes = await readFile(join(dir, 'model.onnx'));
    const fingerprint = schemaFingerprint(parseSchema(schema));
    await writeFile(
      join(dir, 'model.onnx'),
      writeOnnxMetadata(bytes, { [FINGERPRINT_METADATA_KEY]: fingerprint }),
    );
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/without a label output needs .*output\.classes/);
  });
});

describe('class names for an int64 label output', () => {
  it('answers the names, in class-index order', async () => {
    const { dir, schema, model: twin } = await denseModelDir({
      features: 4,
      kind: 'label+probabilities',
      classes: 2,
      classLabels: ['malignant', 'benign'],
    });
    const model = await loadModel({ dir });
    expect(model.task).toMatchObject({
      classes: ['malignant', 'benign'],
      labelType: 'string',
      labelSource: { kind: 'output', name: 'label', type: 'int64', codes: [0, 1] },
    });
    const records = recordsFor(
      schema.fields.map((f) => f.name),
      40,
    );
    const predictions = (await model.run(records)) as ClassPrediction[];
    const names = ['malignant', 'benign'];
    const expected = twin.reference(rowsOf(schema, records)).map((e) => names[e.label as number]);
    expect(predictions.map((p) => p.label)).toEqual(expected);
    expect(new Set(expected).size).toBe(2);
    await model.release();
  });

  it('refuses names for a number of classes the graph does not have', async () => {
    const { dir } = await denseModelDir({
      features: 2,
      kind: 'label+probabilities',
      classes: 3,
      classLabels: ['a', 'b'],
    });
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/output "probabilities" has shape \[N, 3\], expected \[N, 2\]/);
  });
});

describe('weights in a side file (model.onnx.data)', () => {
  it('loads from the model directory, whatever the current directory', async () => {
    const { dir, schema, model: twin } = await denseModelDir({
      features: 3,
      kind: 'regression',
      externalData: 'model.onnx.data',
    });
    expect(process.cwd()).not.toBe(dir);
    const model = await loadModel({ dir });
    const records = recordsFor(
      schema.fields.map((f) => f.name),
      8,
    );
    const values = (await model.run(records)) as number[];
    const expected = twin.reference(rowsOf(schema, records));
    values.forEach((v, i) => {
      expect(near(v, expected[i]?.value as number)).toBe(true);
    });
    await model.release();
  });

  it('without its side file: names the file and the way forward', async () => {
    const { dir } = await denseModelDir({
      features: 3,
      kind: 'regression',
      externalData: 'model.onnx.data',
    });
    await rm(join(dir, 'model.onnx.data'));
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(
      /keeps its weights in "model\.onnx\.data", which is not in .*: copy it beside model\.onnx .*external_data=False/,
    );
  });
});

describe('a fixed batch dimension', () => {
  it.each([1, 4])('[%i, F]: batches of any size run in chunks, equal to the reference', async (batch) => {
    const { dir, schema, model: twin } = await denseModelDir({
      features: 3,
      kind: 'label+probabilities',
      classes: 3,
      batch,
    });
    const model = await loadModel({ dir });
    expect(model.inputs[0]).toMatchObject({ shape: [batch, 3] });
    for (const n of [1, 2, 5, 64]) {
      const records = recordsFor(
        schema.fields.map((f) => f.name),
        n,
      );
      const predictions = (await model.run(records)) as ClassPrediction[];
      const expected = twin.reference(rowsOf(schema, records));
      expect(predictions).toHaveLength(n);
      expect(predictions.map((p) => p.label)).toEqual(expected.map((e) => e.label));
    }
    await model.release();
  });
});

describe('a matrix input of another element type', () => {
  it.each(['float64', 'int64'] as const)('%s: fed as the model declares it', async (inputType) => {
    const { dir, schema, model: twin } = await denseModelDir({
      features: 3,
      kind: 'regression',
      inputType,
    });
    const model = await loadModel({ dir });
    expect(model.inputs[0]).toMatchObject({ type: inputType });
    const records = recordsFor(
      schema.fields.map((f) => f.name),
      10,
      inputType === 'int64',
    );
    const values = (await model.run(records)) as number[];
    const expected = twin.reference(rowsOf(schema, records));
    values.forEach((v, i) => {
      expect(near(v, expected[i]?.value as number)).toBe(true);
    });
    await model.release();
  });
});

describe('the bundled model', () => {
  it('keeps its fingerprint (pinned before field names were relaxed) and loads', async () => {
    const model = await loadModel({ dir: insuranceModelDir });
    const pinned = 'f3d9f033d48950b8d6f8de8e2b40be80dbfd3ee7c21c5227e462fa2a3d98206e';
    expect(schemaFingerprint(model.schema)).toBe(pinned);
    expect(model.metadata[FINGERPRINT_METADATA_KEY]).toBe(pinned);
    await model.release();
  });
});
