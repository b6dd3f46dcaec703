// Every method against a brute-force Shapley reference (all orders of the fields, evaluated
// by the served model itself), and additivity on every fixture model: baseline + Σ
// contributions equals the model's own output in the explained space.
import type { FeatureRecord, ModelSchema } from '@modelship/feature-schema';
import {
  classificationSchema,
  matrixSchema,
  perFieldSchema,
} from '@modelship/feature-schema/test-fixtures/schemas.ts';
import { insuranceModelDir, loadInsuranceRows } from '@modelship/insurance-model';
import {
  linearModel,
  mlpModel,
  seeded,
  treeEnsembleModel,
  wideSchema,
  writeModelDir,
} from '@modelship/testkit';
import { describe, expect, it } from 'vitest';
import type { ClassPrediction, Prediction } from '../model/task.ts';
import {
  foreignExpected,
  foreignFixtures,
  stampedForeignModel,
} from '../testing/foreign-models.ts';
import {
  bruteForceShapley,
  type ExplainFixture,
  explainFixture,
  randomRecords,
  worstRelative,
} from './testing.ts';
import type { Explanation } from './types.ts';

const value = (p: Prediction) => [p as number];
const probabilities = (p: Prediction) => [...(p as ClassPrediction).probabilities];
const logits = (p: Prediction) => probabilities(p).map((q) => Math.log(q / (1 - q)));
const softmax = (m: readonly number[]) => {
  const top = Math.max(...m);
  const e = m.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
};

/** Σ contributions + baseline against the explanation's own output, and against `expected`. */
function expectAdditive(e: Explanation, expected: readonly number[], tolerance = 1e-5) {
  e.baseline.forEach((b, k) => {
    const sum = (e.contributions[k] ?? []).reduce((s, v) => s + v, b);
    expect(worstRelative([sum], [e.output[k] as number])).toBeLessThan(1e-9);
  });
  expect(worstRelative(e.output, expected)).toBeLessThan(tolerance);
}

async function against(
  fixture: ExplainFixture,
  records: readonly FeatureRecord[],
  background: readonly FeatureRecord[],
  output: (p: Prediction) => number[],
) {
  const explanations = await fixture.explainer.explain(records);
  expect(explanations).toHaveLength(records.length);
  let worst = 0;
  for (const [i, x] of records.entries()) {
    const e = explanations[i] as Explanation;
    const reference = await bruteForceShapley(fixture.model, x, background, output);
    worst = Math.max(worst, worstRelative(e.baseline, reference.baseline));
    reference.phi.forEach((row, k) => {
      worst = Math.max(worst, worstRelative(e.contributions[k] ?? [], row));
    });
    const [prediction] = await fixture.model.run([x]);
    expectAdditive(e, output(prediction as Prediction));
  }
  expect(worst).toBeLessThan(1e-5);
  // Explanations that do not move could not tell a wrong reference from a right one.
  expect(explanations.some((e) => e.contributions.flat().some((v) => Math.abs(v) > 1e-3))).toBe(
    true,
  );
}

async function toyFixture(
  schema: ModelSchema,
  bytes: Uint8Array,
  n = 16,
  method?: 'exact' | 'sampling',
) {
  const dir = await writeModelDir(schema, bytes);
  const random = seeded(3);
  const background = randomRecords({ schema }, n, random);
  const fixture = await explainFixture(dir, background, method ? { method } : {});
  return { fixture, background, records: randomRecords({ schema }, 3, random) };
}

describe('additive', () => {
  it('a linear graph of per-field terms: closed form, equal to brute force', async () => {
    const { fixture, background, records } = await toyFixture(
      perFieldSchema,
      linearModel(perFieldSchema).bytes,
    );
    expect(fixture.explainer).toMatchObject({ method: 'additive', space: 'value', outputs: 1 });
    await against(fixture, records, background, value);
    await fixture.release();
  });

  it('rent-regression (LinearRegressor after Scaler and OneHotEncoder)', async () => {
    const expected = foreignExpected(foreignFixtures.rentRegression);
    const background = expected.records.slice(0, 20);
    const fixture = await explainFixture(
      await stampedForeignModel(foreignFixtures.rentRegression),
      background,
    );
    expect(fixture.explainer).toMatchObject({ method: 'additive', space: 'value' });
    await against(fixture, expected.records.slice(20, 24), background, value);
    await fixture.release();
  });

  it('churn-binary (LinearClassifier, LOGISTIC): margins equal brute force on the log-odds', async () => {
    const expected = foreignExpected(foreignFixtures.churnBinary);
    const background = expected.records.slice(0, 20);
    const fixture = await explainFixture(
      await stampedForeignModel(foreignFixtures.churnBinary),
      background,
    );
    expect(fixture.explainer).toMatchObject({ method: 'additive', space: 'margin', outputs: 2 });
    await against(fixture, expected.records.slice(20, 24), background, logits);
    await fixture.release();
  });

  it.each([foreignFixtures.plansMulticlass, foreignFixtures.plansMulticlassNoZipMap])(
    '%s (SOFTMAX, Normalizer): margins equal the exact method’s, softmax of the output is the probabilities',
    async (name) => {
      const expected = foreignExpected(name);
      const background = expected.records.slice(0, 20);
      const dir = await stampedForeignModel(name);
      const additive = await explainFixture(dir, background);
      const exact = await explainFixture(dir, background, { method: 'exact' });
      expect(additive.explainer).toMatchObject({ method: 'additive', space: 'margin', outputs: 3 });
      expect(exact.explainer).toMatchObject({ method: 'exact', space: 'margin' });
      const records = expected.records.slice(20, 26);
      const [a, b] = [
        await additive.explainer.explain(records),
        await exact.explainer.explain(records),
      ];
      records.forEach((_, i) => {
        const [x, y] = [a[i] as Explanation, b[i] as Explanation];
        expect(worstRelative(x.baseline, y.baseline)).toBeLessThan(1e-5);
        x.contributions.forEach((row, k) => {
          expect(worstRelative(row, y.contributions[k] ?? [])).toBeLessThan(1e-5);
        });
        expectAdditive(x, y.output);
        const sklearn = expected.probabilities?.[20 + i] ?? [];
        expect(worstRelative(softmax(x.output), [...sklearn])).toBeLessThan(1e-5);
      });
      await additive.release();
      await exact.release();
    },
  );
});

describe('exact', () => {
  it('the bundled insurance model (smoker × BMI terms): every coalition, equal to brute force', async () => {
    const rows = loadInsuranceRows().map(({ charges: _, ...record }) => record as FeatureRecord);
    const background = rows.slice(0, 20);
    const fixture = await explainFixture(insuranceModelDir, background);
    expect(fixture.explainer).toMatchObject({
      method: 'exact',
      space: 'value',
      backgroundRows: 20,
    });
    await against(fixture, rows.slice(100, 104), background, value);
    await fixture.release();
  });

  it('a matrix layout with a product column', async () => {
    const { fixture, background, records } = await toyFixture(
      matrixSchema,
      linearModel(matrixSchema).bytes,
    );
    expect(fixture.explainer.method).toBe('exact');
    await against(fixture, records, background, value);
    await fixture.release();
  });

  it('a tanh network', async () => {
    const { fixture, background, records } = await toyFixture(
      perFieldSchema,
      mlpModel(perFieldSchema),
    );
    expect(fixture.explainer.method).toBe('exact');
    await against(fixture, records, background, value);
    await fixture.release();
  });
});

describe('tree-shap', () => {
  const classes3 = {
    ...classificationSchema,
    output: { ...classificationSchema.output, classes: ['a', 'b', 'c'] },
  };

  it('a regression ensemble (a categorical field through a LabelEncoder): equal to brute force', async () => {
    const records = randomRecords({ schema: perFieldSchema }, 30, seeded(9));
    const bytes = treeEnsembleModel(perFieldSchema, { records, trees: 12, depth: 4 });
    const { fixture, background, records: xs } = await toyFixture(perFieldSchema, bytes);
    expect(fixture.explainer).toMatchObject({ method: 'tree-shap', space: 'value' });
    await against(fixture, xs, background, value);
    await fixture.release();
  });

  it('an averaged forest classifier: probabilities, equal to brute force', async () => {
    const records = randomRecords({ schema: classes3 }, 30, seeded(10));
    const bytes = treeEnsembleModel(classes3, {
      records,
      trees: 8,
      depth: 3,
      aggregate: 'AVERAGE',
    });
    const { fixture, background, records: xs } = await toyFixture(classes3, bytes);
    expect(fixture.explainer).toMatchObject({
      method: 'tree-shap',
      space: 'probability',
      outputs: 3,
    });
    await against(fixture, xs, background, probabilities);
    await fixture.release();
  });

  it('a boosted classifier (SOFTMAX): margins equal the exact method’s', async () => {
    const records = randomRecords({ schema: classes3 }, 30, seeded(11));
    const bytes = treeEnsembleModel(classes3, {
      records,
      trees: 10,
      depth: 4,
      postTransform: 'SOFTMAX',
    });
    const { fixture, background, records: xs } = await toyFixture(classes3, bytes);
    const dir = fixture.model.dir;
    const exact = await explainFixture(dir, background, { method: 'exact' });
    expect(fixture.explainer).toMatchObject({ method: 'tree-shap', space: 'margin' });
    const [a, b] = [await fixture.explainer.explain(xs), await exact.explainer.explain(xs)];
    const predictions = (await fixture.model.run(xs)) as ClassPrediction[];
    xs.forEach((_, i) => {
      const [x, y] = [a[i] as Explanation, b[i] as Explanation];
      x.contributions.forEach((row, k) => {
        expect(worstRelative(row, y.contributions[k] ?? [])).toBeLessThan(1e-5);
      });
      expectAdditive(x, y.output);
      expect(
        worstRelative(softmax(x.output), [...(predictions[i]?.probabilities ?? [])]),
      ).toBeLessThan(1e-5);
    });
    await exact.release();
    await fixture.release();
  });
});

describe('tree-shap on a binary classifier whose leaves weigh one class', () => {
  const binary = classificationSchema;
  const build = async (oneClass: 'positive' | 'mixed', postTransform: 'NONE' | 'LOGISTIC') => {
    const records = randomRecords({ schema: binary }, 30, seeded(12));
    const bytes = treeEnsembleModel(binary, {
      records,
      trees: 10,
      depth: 3,
      oneClass,
      postTransform,
    });
    return toyFixture(binary, bytes);
  };

  it('mixed-sign weights, LOGISTIC (LightGBM, XGBoost): margins -s and s, equal to brute force', async () => {
    const { fixture, background, records } = await build('mixed', 'LOGISTIC');
    expect(fixture.explainer).toMatchObject({ method: 'tree-shap', space: 'margin', outputs: 2 });
    expect(fixture.explainer.note).toBeUndefined();
    await against(fixture, records, background, logits);
    await fixture.release();
  });

  it('non-negative weights, no post-transform (a scikit-learn forest): probabilities 1-s and s', async () => {
    const { fixture, background, records } = await build('positive', 'NONE');
    expect(fixture.explainer).toMatchObject({ method: 'tree-shap', space: 'probability' });
    await against(fixture, records, background, probabilities);
    await fixture.release();
  });

  it('mixed-sign weights without a post-transform: the output -s and s, equal to brute force', async () => {
    const { fixture, background, records } = await build('mixed', 'NONE');
    expect(fixture.explainer).toMatchObject({ method: 'tree-shap', space: 'probability' });
    await against(fixture, records, background, probabilities);
    await fixture.release();
  });

  it('non-negative weights under LOGISTIC (which onnxruntime skips there): exact says why', async () => {
    const { fixture, records } = await build('positive', 'LOGISTIC');
    expect(fixture.explainer).toMatchObject({ method: 'exact', space: 'margin' });
    expect(fixture.explainer.note).toMatch(/non-negative weights and post_transform LOGISTIC/);
    // Its margins are the same trees' scores without the post-transform: the twin's tree-shap
    // values (equal to brute force above), same trees, same background.
    const twin = await build('positive', 'NONE');
    const [a, b] = [
      await fixture.explainer.explain(records),
      await twin.fixture.explainer.explain(records),
    ];
    records.forEach((_, i) => {
      (a[i]?.contributions ?? []).forEach((row, k) => {
        expect(worstRelative(row, b[i]?.contributions[k] ?? [])).toBeLessThan(1e-5);
      });
    });
    await twin.fixture.release();
    await fixture.release();
  });
});

describe('sampling', () => {
  const wide = wideSchema(perFieldSchema, 30);

  it('30 fields of a network: sampling, additive, with a standard error per field', async () => {
    const { fixture, records } = await toyFixture(wide, mlpModel(wide, { scale: 0.2 }), 50);
    expect(fixture.explainer).toMatchObject({ method: 'sampling', space: 'value' });
    const explanations = await fixture.explainer.explain(records);
    const predictions = await fixture.model.run(records);
    explanations.forEach((e, i) => {
      expectAdditive(e, value(predictions[i] as Prediction));
      expect(e.standardErrors?.[0]).toHaveLength(30);
    });
    await fixture.release();
  });

  it('a linear graph forced through sampling agrees with its closed form within the stated error', async () => {
    const { fixture, background, records } = await toyFixture(
      wide,
      linearModel(wide).bytes,
      50,
      'sampling',
    );
    const additive = await explainFixture(fixture.model.dir, background);
    expect(additive.explainer.method).toBe('additive');
    const [sampled, exact] = [
      await fixture.explainer.explain(records),
      await additive.explainer.explain(records),
    ];
    let within = 0;
    let total = 0;
    sampled.forEach((e, i) => {
      const truth = exact[i]?.contributions[0] ?? [];
      e.contributions[0]?.forEach((v, f) => {
        const se = e.standardErrors?.[0]?.[f] ?? 0;
        total++;
        if (Math.abs(v - (truth[f] as number)) <= 3 * se + 1e-6) within++;
      });
    });
    // About 99.7 % of estimates lie within 3 standard errors of the truth.
    expect(within / total).toBeGreaterThan(0.95);
    await additive.release();
    await fixture.release();
  });
});
