import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foreignFixtureDir } from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { foreignFixtures } from '../testing/foreign-models.ts';
import { readClassifierGraph, withGraphOutput } from './classifier-graph.ts';

const modelOf = (name: string) => readFileSync(join(foreignFixtureDir(name), 'model.onnx'));

describe('readClassifierGraph', () => {
  it('reads the ZipMap’s labels and input (string and int64 labels)', () => {
    expect(readClassifierGraph(modelOf(foreignFixtures.churnBinary), 'output_probability')).toEqual(
      {
        classes: ['no', 'yes'],
        zipMapInput: 'probabilities',
        outputs: ['output_label', 'output_probability'],
      },
    );
    expect(
      readClassifierGraph(modelOf(foreignFixtures.plansMulticlass), 'output_probability').classes,
    ).toEqual([1, 2, 4]);
  });

  it('reads the classifier node’s labels when there is no ZipMap', () => {
    const graph = readClassifierGraph(modelOf(foreignFixtures.plansMulticlassNoZipMap), 'probabilities');
    expect(graph).toMatchObject({ classes: [1, 2, 4], zipMapInput: undefined });
  });

  it('finds no labels in a regression graph', () => {
    const graph = readClassifierGraph(modelOf(foreignFixtures.rentRegression), 'variable');
    expect(graph.classes).toBeUndefined();
  });
});

describe('withGraphOutput', () => {
  it('lets onnxruntime return the tensor behind a ZipMap, which it cannot return itself', async () => {
    const bytes = modelOf(foreignFixtures.churnBinary);
    const before = await InferenceSession.create(bytes);
    expect(before.outputMetadata.find((o) => o.name === 'output_probability')?.isTensor).toBe(false);
    const after = await InferenceSession.create(withGraphOutput(bytes, 'probabilities'));
    expect(after.outputMetadata.find((o) => o.name === 'probabilities')).toMatchObject({
      isTensor: true,
      type: 'float32',
    });
    await Promise.all([before.release(), after.release()]);
  });
});
