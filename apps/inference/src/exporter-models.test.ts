// A model laid out as PyTorch exports a classifier (one [N, F] input with a fixed batch of 1, a
// softmax without a label output), with field names as scikit-learn's data sets have them and
// class names for its class indices, served over real HTTP: every API answers as it does for a
// graph with a label output, and names with spaces, quotes and markup survive every surface.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildProfile, compileSchema } from '@modelship/feature-schema';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlId } from './form/page.ts';
import { PAYLOAD_LINE_KIND } from './monitoring/payload-log.ts';
import { inferRequestFor } from './openapi/examples.ts';
import { type Service, startService } from './service.ts';
import { type DenseModelDir, denseModelDir, rowsOf } from './testing/dense-model-dir.ts';
import { loopbackConfig, memoryLogger, postJson } from './testing/fake-deps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests read plain JSON bodies
type Json = Record<string, any>;

const fields = ['mean radius', 'od280/od315_of_diluted_wines', 'say "hi" <b>&', 'plain'];
const classes = ['malignant', 'benign'];
const records = Array.from({ length: 64 }, (_, i) =>
  Object.fromEntries(fields.map((name, j) => [name, (((i * 7 + j * 5) % 13) - 6) / 3])),
);

let fixture: DenseModelDir;
let service: Service;
let base: string;
let lines: Record<string, unknown>[];
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, postJson(body));
  return { status: res.status, body: (await res.json()) as Json };
};
const expected = () => fixture.model.reference(rowsOf(fixture.schema, records));
const labelOf = (i: number) => classes[expected()[i]?.label as number];

beforeAll(async () => {
  fixture = await denseModelDir({
    features: fields.length,
    kind: 'probabilities',
    classes: 2,
    fields,
    classLabels: classes,
    target: 'diagnosis',
    batch: 1,
  });
  const { fingerprint } = compileSchema(fixture.schema);
  const labels = expected().map((e) => classes[e.label as number] as string);
  const profile = buildProfile(fixture.schema, records, labels, { fingerprint });
  await writeFile(join(fixture.dir, 'profile.json'), JSON.stringify(profile));
  const memory = memoryLogger();
  lines = memory.lines;
  const config = loopbackConfig({
    MODEL_DIR: fixture.dir,
    PAYLOAD_LOG_SAMPLE: '1',
  });
  service = await startService({ config, logger: memory.logger, exit: () => {} });
  base = `http://127.0.0.1:${service.port}`;
});
afterAll(async () => {
  await service?.shutdown.begin('test done');
});

describe('a softmax-only classifier with a fixed batch of 1, over real HTTP', () => {
  it('/predict answers the argmax class and its probabilities, keyed by the fields as named', async () => {
    // Both classes are predicted somewhere: a constant model could not pass.
    expect(new Set(records.map((_, i) => labelOf(i)))).toEqual(new Set(classes));
    const { status, body } = await post('/predict', records[0]);
    expect(status).toBe(200);
    expect(body.prediction).toBe(labelOf(0));
    expect(Object.keys(body.probabilities)).toEqual(classes);
    classes.forEach((c, j) => {
      const want = expected()[0]?.probabilities?.[j] as number;
      expect(Math.abs(body.probabilities[c] - want)).toBeLessThan(1e-5);
    });
  });

  it.each([2, 64])('/predict with %i instances: every label, never a 500', async (n) => {
    const { status, body } = await post('/predict', { instances: records.slice(0, n) });
    expect(status).toBe(200);
    expect(body.predictions).toEqual(records.slice(0, n).map((_, i) => labelOf(i)));
  });

  it('/predict_api answers the bare class name', async () => {
    const { status, body } = await post('/predict_api', records[3]);
    expect(status).toBe(200);
    expect(body).toBe(labelOf(3));
  });

  it('a bad value is a 422 naming the field as sent', async () => {
    const { status, body } = await post('/predict', { ...records[0], 'say "hi" <b>&': 'x' });
    expect(status).toBe(422);
    expect(body.error.details).toEqual([
      { path: 'say "hi" <b>&', message: 'must be a finite number (got a string)' },
    ]);
  });

  it('the OIP lists the inputs by field name and a BYTES label output, and answers it', async () => {
    const metadata = (await (await fetch(`${base}/v2/models/dense`)).json()) as Json;
    expect(metadata.inputs.map((i: Json) => i.name)).toEqual(fields);
    expect(metadata.outputs).toEqual([
      { name: 'diagnosis', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
    ]);
    const request = { ...inferRequestFor(fixture.schema, records.slice(0, 5)), outputs: undefined };
    const { status, body } = await post('/v2/models/dense/infer', request);
    expect(status).toBe(200);
    expect(body.outputs[0]).toEqual({
      name: 'diagnosis',
      shape: [5],
      datatype: 'BYTES',
      data: [0, 1, 2, 3, 4].map(labelOf),
    });
    expect(body.outputs[1]).toMatchObject({ name: 'probabilities', shape: [5, 2] });
  });

  it('the OpenAPI document is valid and has the fields as properties', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Json;
    expect((await new Validator().validate(structuredClone(doc))).valid).toBe(true);
    const text = JSON.stringify(doc);
    for (const name of fields) expect(text).toContain(JSON.stringify(name));
    expect(doc.components.schemas.PredictedValue).toMatchObject({ enum: classes });
  });

  it('the form renders escaped ids and names, and predicts from a posted form', async () => {
    const page = await (await fetch(`${base}/`)).text();
    expect(controlId('plain')).toBe('plain');
    const id = controlId('say "hi" <b>&');
    expect(id).toMatch(/^_[0-9a-f]+$/);
    expect(page).toContain(`<input id="${id}" name="say &quot;hi&quot; &lt;b&gt;&amp;"`);
    expect(page).toContain(`<label for="${id}">say &quot;hi&quot; &lt;b&gt;&amp;</label>`);
    expect(page).not.toContain('<b>&');
    const form = new URLSearchParams(
      Object.entries(records[5] as Json).map(([k, v]) => [k, String(v)] as [string, string]),
    );
    const res = await fetch(`${base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`Predicted diagnosis: <strong>${labelOf(5)}</strong>`);
    form.set('mean radius', 'abc');
    const bad = await (await fetch(`${base}/`, { method: 'POST', body: form })).text();
    expect(bad).toContain(
      `<p class="error" id="${controlId('mean radius')}-error">must be a finite number`,
    );
    expect(bad).toContain(
      `<a href="#${controlId('mean radius')}">mean radius: must be a finite number`,
    );
  });

  it('metrics count classes, and label fields with escaped quotes', async () => {
    await post('/predict', { ...records[0], 'say "hi" <b>&': 'x' });
    const text = await (await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`)).text();
    expect(text).toMatch(/inference_predicted_class_total\{class="benign"\} [1-9]/);
    expect(text).toMatch(/inference_predicted_class_total\{class="malignant"\} [1-9]/);
    expect(text).toContain(
      'modelship_validation_failures_total{field="say \\"hi\\" <b>&",reason="wrong_type"}',
    );
    expect(text).toMatch(/modelship_feature_drift_psi\{feature="od280\/od315_of_diluted_wines"\} /);
  });

  it('the monitoring page escapes the field names', async () => {
    const page = await (await fetch(`http://127.0.0.1:${service.ops?.port}/monitoring`)).text();
    expect(page).toContain('data-field="mean radius"');
    expect(page).toContain('say &#34;hi&#34; &#60;b&#62;&#38;');
    expect(page).not.toContain('<b>&');
  });

  it('payload logs keep the fields as sent', async () => {
    await post('/predict', records[7]);
    const payload = lines.filter((l) => l.kind === PAYLOAD_LINE_KIND).at(-1);
    expect(payload).toMatchObject({ inputs: [records[7]], outputs: [{ label: labelOf(7) }] });
  });
});
