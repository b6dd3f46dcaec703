// Models this project did not train (scikit-learn pipelines exported with skl2onnx's graph
// layout; see packages/feature-schema/test-fixtures/foreign): served through the real loader
// and onnxruntime, their outputs must equal scikit-learn's on every fixture row.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  foreignExpected,
  foreignFixtures,
  stampedForeignModel,
} from '../testing/foreign-models.ts';
import { loadModel, ModelLoadError } from './load.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';
import type { ClassPrediction } from './task.ts';

const classifiers = [
  [foreignFixtures.churnBinary, ['no', 'yes'], true],
  [foreignFixtures.plansMulticlass, [1, 2, 4], true],
  [foreignFixtures.plansMulticlassNoZipMap, [1, 2, 4], false],
] as const;

describe('foreign classifiers', () => {
  it.each(classifiers)(
    '%s: labels equal scikit-learn’s, probabilities within 1e-5, on every row',
    async (name, classes, zipMap) => {
      const model = await loadModel({ dir: await stampedForeignModel(name) });
      expect(model.task).toMatchObject({ kind: 'classification', classes, zipMap });
      const expected = foreignExpected(name);
      expect(expected.classes).toEqual(classes);
      const predictions = (await model.run(expected.records)) as ClassPrediction[];
      expect(predictions.map((p) => p.label)).toEqual(expected.labels);
      // Both classes are predicted somewhere: a constant model could not pass.
      expect(new Set(predictions.map((p) => p.label)).size).toBeGreaterThan(1);
      predictions.forEach((p, i) => {
        const want = expected.probabilities?.[i] ?? [];
        expect(p.probabilities).toHaveLength(classes.length);
        p.probabilities.forEach((value, j) => {
          expect(Math.abs(value - (want[j] as number))).toBeLessThan(1e-5);
        });
      });
      await model.release();
    },
  );

  it('reads the probabilities in the same order with or without the ZipMap', async () => {
    const records = foreignExpected(foreignFixtures.plansMulticlass).records;
    const zipped = await loadModel({ dir: await stampedForeignModel(classifiers[1][0]) });
    const plain = await loadModel({ dir: await stampedForeignModel(classifiers[2][0]) });
    expect(await zipped.run(records)).toEqual(await plain.run(records));
    await Promise.all([zipped.release(), plain.release()]);
  });

  it('accepts classes declared in schema.json that agree with the graph', async () => {
    const dir = await stampedForeignModel(foreignFixtures.churnBinary, {
      editSchema: (s) => ({ ...s, output: { ...(s.output as object), classes: ['no', 'yes'] } }),
    });
    const model = await loadModel({ dir });
    expect(model.task).toMatchObject({ classes: ['no', 'yes'], labelType: 'string' });
    await model.release();
  });

  it('refuses declared classes that disagree with the graph, naming output.classes', async () => {
    const dir = await stampedForeignModel(foreignFixtures.plansMulticlass, {
      editSchema: (s) => ({ ...s, output: { ...(s.output as object), classes: [1, 4, 2] } }),
    });
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(
      /output\.classes \(1, 4, 2\) differ from the class labels in the graph \(1, 2, 4\)/,
    );
  });

  it('refuses a probabilities tensor whose columns do not match the classes', async () => {
    // Declared classes are the only source when the graph has none to compare with: a model
    // whose probabilities have 3 columns cannot serve 2 classes.
    const dir = await stampedForeignModel(foreignFixtures.plansMulticlassNoZipMap, {
      editSchema: (s) => ({ ...s, output: { ...(s.output as object), classes: [1, 2] } }),
    });
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/output\.classes \(1, 2\) differ/);
  });

  it('refuses a classifier schema pointed at the wrong outputs', async () => {
    const dir = await stampedForeignModel(foreignFixtures.churnBinary, {
      editSchema: (s) => ({
        ...s,
        output: { name: 'output_probability', probabilities: 'output_label' },
      }),
    });
    const error = await loadModel({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
  });

  it('leaves the committed fixture unstamped (a foreign model carries no modelship metadata)', async () => {
    const { foreignFixtureDir } = await import(
      '@modelship/feature-schema/test-fixtures/foreign.ts'
    );
    const bytes = await readFile(join(foreignFixtureDir(foreignFixtures.churnBinary), 'model.onnx'));
    expect(readOnnxMetadata(bytes)).toEqual({});
  });
});

describe('a foreign regression model with an int64 input', () => {
  it('predicts scikit-learn’s values on every row (float32 precision)', async () => {
    const name = foreignFixtures.rentRegression;
    const model = await loadModel({ dir: await stampedForeignModel(name) });
    expect(model.task).toEqual({ kind: 'regression' });
    expect(model.inputs.find((i) => i.name === 'rooms')).toMatchObject({ type: 'int64' });
    const expected = foreignExpected(name);
    const predictions = (await model.run(expected.records)) as number[];
    predictions.forEach((p, i) => {
      const want = expected.predictions?.[i] as number;
      expect(Math.abs(p - want)).toBeLessThan(1e-6 * Math.abs(want) + 1e-3);
    });
    await model.release();
  });
});
