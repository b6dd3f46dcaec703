// Fields marked `"sensitive": true` are never echoed: not in 422 details, not in the Open
// Inference Protocol's 400 messages, not in the form's re-rendered page (values or errors).
import { compileSchema } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { fakeModel, postJson, serveModel, validRecord } from './testing/fake-deps.ts';

const schema = {
  ...insuranceSchema,
  fields: insuranceSchema.fields.map((f) =>
    f.name === 'age' || f.name === 'bmi' || f.name === 'region' ? { ...f, sensitive: true } : f,
  ),
};

const app = () => serveModel({ ...fakeModel(), schema, compiled: compileSchema(schema) });

/** A plain form post of `record` to the form page. */
const postForm = (record: Record<string, string | number>) =>
  app().request('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(
      Object.entries(record).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString(),
  });

/** Values no answer may contain: out of range, fractional, unknown, of the wrong type. */
const secrets = { age: 1234567, bmi: 98765.4321, region: 'zzsecretzz' };
const leaked = (text: string) =>
  ['1234567', '98765', 'zzsecretzz', '40.25', 'qqwrongqq'].filter((s) => text.includes(s));

describe('sensitive fields are never echoed', () => {
  it('in 422 details of /predict (one record, a batch) and /predict_api', async () => {
    const bodies: [string, unknown][] = [
      ['/predict', { ...validRecord, ...secrets }],
      [
        '/predict',
        {
          instances: [
            { ...validRecord, ...secrets },
            { ...validRecord, age: 40.25 },
          ],
        },
      ],
      ['/predict_api', { ...validRecord, ...secrets }],
    ];
    for (const [path, body] of bodies) {
      const res = await app().request(path, postJson(body));
      expect(res.status).toBe(422);
      const text = await res.text();
      expect(leaked(text), text).toEqual([]);
      expect(text).toContain('must be <= 100');
      expect(text).toContain('must be one of: northeast');
    }
  });

  it('in the Open Inference Protocol 400 messages (values and element checks)', async () => {
    const input = (name: string, datatype: string, data: unknown[]) => ({
      name,
      shape: [data.length],
      datatype,
      data,
    });
    const rest = Object.entries(validRecord)
      .filter(([name]) => !(name in secrets))
      .map(([name, v]) => input(name, typeof v === 'number' ? 'FP64' : 'BYTES', [v]));
    const requests = [
      [
        input('age', 'FP64', [1234567]),
        input('bmi', 'FP64', [98765.4321]),
        input('region', 'BYTES', ['zzsecretzz']),
      ],
      [
        input('age', 'INT64', [40.25]),
        input('bmi', 'BYTES', ['qqwrongqq']),
        input('region', 'BYTES', [1234567]),
      ],
      [
        input('age', 'FP32', [98765e40]),
        input('bmi', 'FP64', [1]),
        input('region', 'BYTES', ['south']),
      ],
    ];
    for (const inputs of requests) {
      const res = await app().request(
        '/v2/models/insurance-charges/infer',
        postJson({ inputs: [...inputs, ...rest] }),
      );
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(leaked(text).concat(text.includes('9.8765e+44') ? ['fp32'] : []), text).toEqual([]);
    }
  });

  it('in the form page: neither the values typed nor the error text', async () => {
    const res = await postForm({ ...validRecord, ...secrets });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(leaked(page)).toEqual([]);
    expect(page).toContain('must be &lt;= 100');
    // Non-sensitive values are kept as typed.
    expect(page).toContain(`value="${validRecord.children}"`);
  });

  it('in the form page of a prediction either', async () => {
    const res = await postForm({ ...validRecord, age: 61, bmi: 40.25 });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toMatch(/value="(61|40\.25)"/);
    expect(page).not.toContain(`<option value="${validRecord.region}" selected>`);
  });
});
