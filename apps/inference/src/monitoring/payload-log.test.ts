import { compileSchema } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps, memoryLogger, postJson, validRecord } from '../testing/fake-deps.ts';
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
    log.maybeLog('id', [record], [12345]);
    logger.flush();
    const [line] = payloadLines(lines);
    expect(line?.inputs).toEqual([{ ...record, bmi: REDACTED, region: REDACTED }]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('31.4159');
    expect(text).not.toContain('northwest');
    expect(record.bmi).toBe(31.4159); // the caller's record is untouched
  });
});
