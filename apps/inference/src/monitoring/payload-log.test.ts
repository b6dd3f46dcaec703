import { compileSchema } from '@modelship/feature-schema';
import { insuranceModelDir, insuranceSchema } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { startService } from '../service.ts';
import {
  fakeDeps,
  loopbackConfig,
  memoryLogger,
  postJson,
  validRecord,
} from '../testing/fake-deps.ts';
import { createPayloadLog, PAYLOAD_LINE_KIND, REDACTED } from './payload-log.ts';

const payloadLines = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.kind === PAYLOAD_LINE_KIND);

async function send(sample: string, requests: number) {
  const { deps, lines } = fakeDeps({ env: { PAYLOAD_LOG_SAMPLE: sample } });
  const app = createApp(deps);
  for (let i = 0; i < requests; i++) {
    const res = await app.request('/predict', postJson(validRecord, { 'X-Request-Id': `r${i}` }));
    expect(res.status).toBe(200);
  }
  return payloadLines(lines);
}

describe('sampled payload logs', () => {
  it('at 1: one line per request with its id, the model, the inputs and the outputs', async () => {
    const lines = await send('1', 50);
    expect(lines).toHaveLength(50);
    expect(lines.map((l) => l.requestId)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(lines[0]).toMatchObject({
      severity: 'INFO',
      model: { name: 'insurance-charges', version: '1.0.0' },
      inputs: [validRecord],
      outputs: [expect.any(Number)],
    });
  });

  it('at 0: none', async () => {
    expect(await send('0', 200)).toHaveLength(0);
  });

  it('at 0.1: a share within binomial bounds over thousands of requests', async () => {
    const n = 3000;
    const logged = (await send('0.1', n)).length;
    const sd = Math.sqrt(n * 0.1 * 0.9);
    // ±5 standard deviations: a correct sampler fails this about once in 3.5 million runs.
    expect(logged).toBeGreaterThan(n * 0.1 - 5 * sd);
    expect(logged).toBeLessThan(n * 0.1 + 5 * sd);
  });

  it('logs batches and the bare /predict_api too', async () => {
    const { deps, lines } = fakeDeps({ env: { PAYLOAD_LOG_SAMPLE: '1' } });
    const app = createApp(deps);
    await app.request(
      '/predict',
      postJson({ instances: [validRecord, { ...validRecord, age: 60 }] }),
    );
    await app.request('/predict_api', postJson(validRecord));
    expect(payloadLines(lines).map((l) => (l.inputs as unknown[]).length)).toEqual([2, 1]);
  });

  it('sampled(): no draw when off; when on, true exactly for draws below the share', () => {
    const { logger } = memoryLogger();
    const draws = [0.05, 0.25, 0.2499, 0.9];
    let drawn = 0;
    const random = () => draws[drawn++] ?? 1;
    const off = createPayloadLog({ logger, schema: insuranceSchema, sample: 0, random });
    expect([off.sampled(), off.sampled()]).toEqual([false, false]);
    expect(drawn).toBe(0);
    const on = createPayloadLog({ logger, schema: insuranceSchema, sample: 0.25, random });
    expect(draws.map(() => on.sampled())).toEqual([true, false, true, false]);
  });

  it('writes sensitive fields as "[redacted]", never their values', () => {
    const schema = {
      ...insuranceSchema,
      fields: insuranceSchema.fields.map((f) =>
        f.name === 'bmi' || f.name === 'region' ? { ...f, sensitive: true } : f,
      ),
    };
    compileSchema(schema); // still a valid schema
    const { logger, lines } = memoryLogger();
    const log = createPayloadLog({ logger, schema, sample: 1 });
    const record = { ...validRecord, bmi: 31.4159, region: 'northwest' };
    log.maybeLog({
      requestId: 'id',
      model: { name: 'insurance-charges', version: '1.0.0' },
      records: [record],
      predictions: [12345],
    });
    logger.flush();
    const [line] = payloadLines(lines);
    expect(line?.inputs).toEqual([{ ...record, bmi: REDACTED, region: REDACTED }]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('31.4159');
    expect(text).not.toContain('northwest');
    expect(record.bmi).toBe(31.4159); // the caller's record is untouched
  });

  it('PAYLOAD_LOG_EXPLAIN: /explain lines carry the explanation with sensitive contributions redacted', () => {
    const schema = {
      ...insuranceSchema,
      fields: insuranceSchema.fields.map((f) => (f.name === 'bmi' ? { ...f, sensitive: true } : f)),
    };
    const explanation = {
      method: 'exact',
      space: 'value',
      baseline: 13000,
      contributions: { age: 120.5, sex: -3, bmi: 4321.987, children: 1, smoker: 9000, region: 2 },
      output: 26442.487,
    };
    const logged = (explain: boolean) => {
      const { logger, lines } = memoryLogger();
      const log = createPayloadLog({ logger, schema, sample: 1, explain });
      log.maybeLog({
        requestId: 'id',
        model: { name: 'insurance-charges', version: '1.0.0' },
        records: [{ ...validRecord, bmi: 33.3 }],
        predictions: [26442.487],
        explanations: () => [explanation],
      });
      logger.flush();
      return payloadLines(lines)[0];
    };
    const line = logged(true);
    expect(line?.explanations).toEqual([
      { ...explanation, contributions: { ...explanation.contributions, bmi: REDACTED } },
    ]);
    expect(JSON.stringify(line)).not.toContain('4321.987');
    // Off (the default): the same request's line has no explanations.
    expect(logged(false)).not.toHaveProperty('explanations');
  });

  it('a classifier’s per-class contributions are redacted in every class', () => {
    const schema = {
      ...insuranceSchema,
      fields: insuranceSchema.fields.map((f) => (f.name === 'age' ? { ...f, sensitive: true } : f)),
    };
    const { logger, lines } = memoryLogger();
    const log = createPayloadLog({ logger, schema, sample: 1, explain: true });
    log.maybeLog({
      requestId: 'id',
      model: { name: 'insurance-charges', version: '1.0.0' },
      records: [validRecord],
      predictions: [12],
      explanations: () => [
        {
          method: 'sampling',
          space: 'probability',
          baseline: { no: 0.6, yes: 0.4 },
          contributions: { no: { age: 0.123456, bmi: 0.1 }, yes: { age: -0.123456, bmi: -0.1 } },
          output: { no: 0.82, yes: 0.18 },
          standardErrors: { no: { age: 0.0111, bmi: 0.01 }, yes: { age: 0.0111, bmi: 0.01 } },
        },
      ],
    });
    logger.flush();
    const [line] = payloadLines(lines);
    expect(line?.explanations).toMatchObject([
      {
        contributions: { no: { age: REDACTED, bmi: 0.1 }, yes: { age: REDACTED, bmi: -0.1 } },
        standardErrors: { no: { age: REDACTED }, yes: { age: REDACTED } },
      },
    ]);
    expect(JSON.stringify(line)).not.toContain('0.123456');
  });

  it('over real HTTP: a sampled /explain line holds what /explain answered, /predict’s none', async () => {
    const { logger, lines } = memoryLogger();
    const config = loopbackConfig({
      MODEL_DIR: insuranceModelDir,
      PAYLOAD_LOG_SAMPLE: '1',
      PAYLOAD_LOG_EXPLAIN: 'true',
    });
    const service = await startService({ config, logger, exit: () => {} });
    try {
      const base = `http://127.0.0.1:${service.port}`;
      const res = await fetch(`${base}/explain`, postJson(validRecord, { 'X-Request-Id': 'e1' }));
      expect(res.status).toBe(200);
      const answer = (await res.json()) as Record<string, unknown>;
      await fetch(`${base}/predict`, postJson(validRecord, { 'X-Request-Id': 'p1' }));
      logger.flush();
      const explained = payloadLines(lines).find((l) => l.requestId === 'e1');
      expect(explained).toMatchObject({
        inputs: [validRecord],
        outputs: [answer.prediction],
        explanations: [
          {
            method: 'exact',
            space: 'value',
            baseline: answer.baseline,
            contributions: answer.contributions,
            output: answer.output,
          },
        ],
      });
      const predicted = payloadLines(lines).find((l) => l.requestId === 'p1');
      expect(predicted).toBeDefined();
      expect(predicted).not.toHaveProperty('explanations');
    } finally {
      await service.shutdown.begin('test done');
    }
  });
});
