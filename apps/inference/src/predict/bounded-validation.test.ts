// A body built to make parsing and validation expensive (an object of many keys, many bad
// records) gets a small answer after bounded work: a 413 for an object of far too many keys,
// found before JSON.parse builds it; at most MAX_LISTED_ISSUES issues with a count of the rest.
import { type ErrorBody, errorBodySchema } from '@modelship/contract';
import { EXTRA_KEYS_ALLOWED, MAX_LISTED_ISSUES } from '@modelship/feature-schema';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps, postJson, validRecord } from '../testing/fake-deps.ts';

const app = () => createApp(fakeDeps().deps);
const manyKeys = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [i.toString(36), 0]));

async function error422(res: Response): Promise<{ body: ErrorBody; bytes: number }> {
  expect(res.status).toBe(422);
  const text = await res.text();
  return { body: errorBodySchema.parse(JSON.parse(text)), bytes: text.length };
}

describe('validation of hostile bodies', () => {
  it('a body of 95,000 unknown keys: a small 413 before the body is parsed', async () => {
    const bodies = [
      ['/predict', { ...validRecord, ...manyKeys(95_000) }],
      ['/predict_api', { ...validRecord, ...manyKeys(95_000) }],
      ['/predict', { instances: [validRecord], ...manyKeys(95_000) }],
      ['/predict', { instances: [{ ...validRecord, ...manyKeys(95_000) }] }],
    ] as const;
    for (const [path, json] of bodies) {
      const res = await app().request(path, postJson(json));
      expect(res.status).toBe(413);
      const text = await res.text();
      expect(errorBodySchema.parse(JSON.parse(text)).error).toEqual({
        code: 'payload_too_large',
        message: `The request body holds an object of more than ${6 + EXTRA_KEYS_ALLOWED} keys; a record of this model has 6 fields.`,
        details: [],
      });
      expect(text.length).toBeLessThan(1024);
    }
  });

  it('a batch envelope of a few keys beside instances: each listed', async () => {
    const { body } = await error422(
      await app().request('/predict', postJson({ instances: [validRecord], a: 1, b: 2 })),
    );
    expect(body.error.details.map((d) => d.path)).toEqual(['a', 'b']);
  });

  it(`1,000 bad records: the first ${MAX_LISTED_ISSUES} issues listed, the total counted`, async () => {
    const instances = Array.from({ length: 1000 }, () => ({
      ...validRecord,
      age: 5,
      region: 'mars',
    }));
    const { body } = await error422(await app().request('/predict', postJson({ instances })));
    expect(body.error.details).toHaveLength(MAX_LISTED_ISSUES);
    expect(body.error.details[0]?.path).toBe('instances[0].age');
    expect(body.error.message).toBe(
      `The request has 2000 invalid fields; the first ${MAX_LISTED_ISSUES} are listed.`,
    );
  });

  it('1,000 records of 30 unknown keys each: a bounded answer', async () => {
    const instances = Array.from({ length: 1000 }, () => ({ ...validRecord, ...manyKeys(30) }));
    const { body, bytes } = await error422(
      await app().request('/predict', postJson({ instances })),
    );
    expect(body.error.details).toHaveLength(MAX_LISTED_ISSUES);
    expect(body.error.message).toMatch(/^The request has 30000 invalid fields;/);
    expect(bytes).toBeLessThan(16 * 1024);
  });

  it('counts at most the listed issues in the validation-failure metric', async () => {
    const { deps } = fakeDeps();
    const served = createApp(deps);
    const instances = Array.from({ length: 1000 }, () => ({ ...validRecord, age: 5 }));
    expect((await served.request('/predict', postJson({ instances }))).status).toBe(422);
    const metrics = await (await served.request('/metrics')).text();
    expect(metrics).toMatch(
      new RegExp(
        `^modelship_validation_failures_total\\{field="age",reason="out_of_range"\\} ${MAX_LISTED_ISSUES}$`,
        'm',
      ),
    );
  });
});

describe('Open Inference Protocol requests built to amplify', () => {
  const infer = '/v2/models/insurance-charges/infer';
  const columns = (rows: number, age: number) =>
    Object.entries(validRecord).map(([name, value]) => ({
      name,
      shape: [rows],
      datatype: typeof value === 'number' ? 'FP64' : 'BYTES',
      data: Array.from({ length: rows }, () => (name === 'age' ? age : value)),
    }));

  it('5,000 unknown inputs: a 400 of bounded size', async () => {
    const inputs = Array.from({ length: 5000 }, (_, i) => ({
      name: `x${i}`,
      shape: [1],
      datatype: 'FP64',
      data: [1],
    }));
    const res = await app().request(infer, postJson({ inputs }));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(4096);
    expect(JSON.parse(text).error).toMatch(/more than \d+ inputs; the model has 6/);
  });

  it('a shape of 50,000 negative sizes: a 400 of bounded size', async () => {
    const inputs = [
      { name: 'age', shape: new Array(50_000).fill(-1), datatype: 'FP64', data: [1] },
    ];
    const res = await app().request(infer, postJson({ inputs }));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(1024);
    expect(JSON.parse(text).error).toMatch(/inputs\[0\]\.shape: more than 8 dimensions/);
  });

  it('1,000 rows out of range: a 400 of bounded size that counts them all', async () => {
    const res = await app().request(infer, postJson({ inputs: columns(1000, 5) }));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/^Invalid inference request: 1000 problems, the first 100 listed: /);
    expect(error.split('must be >= 18').length - 1).toBe(MAX_LISTED_ISSUES);
  });
});
