import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { loadModel } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createDeps } from '../service.ts';
import { memoryLogger, validRecord } from '../testing/fake-deps.ts';

// Random malformed bodies thrown at /predict of an app around a real onnxruntime session:
// every answer must be a 4xx JSON error (never a 5xx, never a crash), and a valid request
// must still succeed afterwards.

let model: ServedModel;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  model = await loadModel({
    dir: await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes),
  });
  const deps = createDeps({
    config: loadConfig({ MAX_BATCH: '20', BODY_LIMIT: '4096' }),
    logger: memoryLogger().logger,
    model,
    defaultMetrics: false,
  });
  deps.readiness.markReady();
  app = createApp(deps);
});
afterAll(() => model.release());

/** Field values that are wrong in every way a client might get them wrong. */
const badValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1e308, -1e308, 1.5, 17, 101, '', 'yes', 'NaN', '40', null, [], {}),
  fc.string(),
);

/** A valid record with some fields replaced, removed or added. */
const mutatedRecord = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...Object.keys(validRecord)), badValue, { minKeys: 1 }),
    fc.subarray(Object.keys(validRecord)),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }),
  )
  .map(([replaced, removed, extra]) => {
    const record: Record<string, unknown> = { ...validRecord, ...replaced };
    for (const key of removed) delete record[key];
    return { ...extra, ...record };
  });

const body = fc.oneof(
  fc.string().map((text) => ({ text, type: 'application/json' })),
  fc.jsonValue().map((value) => ({ text: JSON.stringify(value), type: 'application/json' })),
  mutatedRecord.map((r) => ({ text: JSON.stringify(r), type: 'application/json' })),
  fc
    .array(fc.oneof(mutatedRecord, fc.jsonValue()), { maxLength: 25 })
    .map((instances) => ({ text: JSON.stringify({ instances }), type: 'application/json' })),
  fc
    .uint8Array({ maxLength: 512 })
    .map((bytes) => ({ text: Buffer.from(bytes).toString('latin1'), type: 'application/json' })),
  fc.tuple(fc.string(), fc.string({ maxLength: 40 })).map(([text, type]) => ({ text, type })),
  fc.nat({ max: 3 }).map((n) => ({ text: 'x'.repeat(4096 + n * 1000), type: 'application/json' })),
);

describe('fuzzing POST /predict', () => {
  it('answers every malformed body with a 4xx JSON error, then serves a valid request', async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ text, type }) => {
        const res = await app.request('/predict', {
          method: 'POST',
          headers: { 'Content-Type': type },
          body: text,
        });
        if (res.status === 200) {
          // A mutation can happen to produce a valid record: then it is a real prediction.
          const json = (await res.json()) as { prediction?: unknown; predictions?: unknown[] };
          expect(typeof json.prediction === 'number' || Array.isArray(json.predictions)).toBe(true);
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const json = (await res.json()) as { error: { code: string; details: unknown[] } };
        expect(typeof json.error.code).toBe('string');
        expect(Array.isArray(json.error.details)).toBe(true);
      }),
      { numRuns: 400 },
    );
    const res = await app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(validRecord),
    });
    expect(res.status).toBe(200);
  });
});
