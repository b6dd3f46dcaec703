import { createLogger, loadConfig, type Service, startService } from '@modelship/inference';
import { insuranceModelDir } from '@modelship/insurance-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constantPredictions } from './service-constant.ts';

describe('the service stack answering a constant (ceiling-service)', () => {
  let service: Service;
  let base: string;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    // The bundled model, loaded and warmed as the service does.
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      OPS_PORT: '0',
      BODY_LIMIT: '1024',
      MODEL_DIR: insuranceModelDir,
    });
    const logger = createLogger({ level: 'warn' });
    service = await startService({
      config,
      logger,
      exit: () => {},
      predictions: constantPredictions(42),
    });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(() => service.shutdown.begin('test done'));

  it('answers the service shapes with the constant', async () => {
    const one = await post('{"age": 40}');
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({
      prediction: 42,
      model: { name: 'insurance-charges', version: expect.any(String) },
    });
    const many = await post('{"instances": [{}, {}, {}]}');
    expect(((await many.json()) as { predictions: number[] }).predictions).toEqual([42, 42, 42]);
  });

  it("answers /predict the same through the service's lane and through Hono's route (a query string leaves the lane)", async () => {
    const viaLane = await post('{"age": 40}', { 'X-Request-Id': 'lane-1' });
    const viaHono = await fetch(`${base}/predict?via=hono`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'lane-1' },
      body: '{"age": 40}',
    });
    expect(viaLane.status).toBe(200);
    expect(viaHono.status).toBe(200);
    expect(await viaLane.json()).toEqual(await viaHono.json());
    for (const name of ['content-type', 'x-request-id', 'x-content-type-options']) {
      expect(viaLane.headers.get(name), name).toBe(viaHono.headers.get(name));
    }
  });

  it("runs the service's middleware: request id, security headers, body checks", async () => {
    const res = await post('{}', { 'X-Request-Id': 'ceiling-1' });
    expect(res.headers.get('x-request-id')).toBe('ceiling-1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await post('{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post(`{"pad": "${'x'.repeat(2000)}"}`)).status).toBe(413);
    expect((await post('{')).status).toBe(400);
  });

  it('counts the requests in the metrics and never runs the model', async () => {
    const text = await (await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`)).text();
    expect(text).toMatch(
      /^http_requests_total\{method="POST",route="\/predict",status="200"\} \d+/m,
    );
    expect(text).toMatch(/^inference_predicted_rows_total 0$/m);
    expect(text).toMatch(/^inference_batch_rows_count 0$/m);
  });

  it('keeps the rest of the route table as shipped', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
    // The other prediction routes stay the service's own (415: no JSON body).
    expect((await fetch(`${base}/predict_api`, { method: 'POST' })).status).toBe(415);
  });
});
