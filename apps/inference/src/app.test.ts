import { RegExpRouter } from 'hono/router/reg-exp-router';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { fakeDeps, fakeInsurancePrediction, postJson, validRecord } from './testing/fake-deps.ts';

const model = { name: 'insurance-charges', version: '1.0.0' };

function setup(options: Parameters<typeof fakeDeps>[0] = {}) {
  const { deps, lines } = fakeDeps(options);
  return { app: createApp(deps), deps, lines };
}

describe('probes', () => {
  it('answers /healthz while the process runs, whatever the lifecycle state', async () => {
    const { app, deps } = setup({ ready: false });
    expect((await app.request('/healthz')).status).toBe(200);
    deps.readiness.startDraining();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 only when ready, 503 JSON while starting and draining', async () => {
    const { app, deps } = setup({ ready: false });
    const starting = await app.request('/readyz');
    expect(starting.status).toBe(503);
    expect(await starting.json()).toMatchObject({ status: 'starting' });
    deps.readiness.markReady();
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', model });
    deps.readiness.startDraining();
    const draining = await app.request('/readyz');
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'draining' });
  });
});

describe('POST /predict', () => {
  it('predicts one record', async () => {
    const { app } = setup();
    const res = await app.request('/predict', postJson(validRecord));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ prediction: fakeInsurancePrediction(validRecord), model });
  });

  it('predicts a batch in input order', async () => {
    const { app } = setup();
    const instances = [20, 30, 40].map((age) => ({ ...validRecord, age }));
    const res = await app.request('/predict', postJson({ instances }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      predictions: instances.map(fakeInsurancePrediction),
      model,
    });
  });

  it('accepts application/*+json with a charset', async () => {
    const { app } = setup();
    const res = await app.request(
      '/predict',
      postJson(validRecord, { 'Content-Type': 'application/vnd.api+json; charset=utf-8' }),
    );
    expect(res.status).toBe(200);
  });

  it('keeps serving while draining (the load balancer is still catching up)', async () => {
    const { app, deps } = setup();
    deps.readiness.startDraining();
    expect((await app.request('/predict', postJson(validRecord))).status).toBe(200);
  });
});

describe('POST /predict_api (tutorial compatibility)', () => {
  it('answers the bare number', async () => {
    const { app } = setup();
    const res = await app.request('/predict_api', postJson({ ...validRecord, smoker: 'yes' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(fakeInsurancePrediction({ ...validRecord, smoker: 'yes' }));
  });

  it('rejects a batch body with 422', async () => {
    const { app } = setup();
    const res = await app.request('/predict_api', postJson({ instances: [validRecord] }));
    expect(res.status).toBe(422);
  });
});

/** Asserts the error contract and returns the error object. */
async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as {
    error: { code: string; message: string; details: { path: string; message: string }[] };
  };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Array.isArray(body.error.details)).toBe(true);
  return body.error;
}

describe('errors', () => {
  it('400 for malformed JSON and for an empty body', async () => {
    const { app } = setup();
    await expectError(
      await app.request('/predict', postJson('{"age": 40,')),
      400,
      'malformed_json',
    );
    await expectError(await app.request('/predict', postJson('')), 400, 'malformed_json');
  });

  it('413 for a body over BODY_LIMIT, by Content-Length and while streaming', async () => {
    const { app } = setup({ env: { BODY_LIMIT: '64' } });
    const big = JSON.stringify({ ...validRecord, padding: 'x'.repeat(100) });
    await expectError(await app.request('/predict', postJson(big)), 413, 'payload_too_large');
    const chunks = [big.slice(0, 50), big.slice(50)].map((s) => new TextEncoder().encode(s));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'payload_too_large');
  });

  it('415 for a body that is not declared as JSON', async () => {
    const { app } = setup();
    const body = JSON.stringify(validRecord);
    for (const headers of [{ 'Content-Type': 'text/plain' }, {}] as Record<string, string>[]) {
      const res = await app.request('/predict', { method: 'POST', headers, body });
      await expectError(res, 415, 'unsupported_media_type');
    }
    const form = await app.request('/predict_api', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'age=40',
    });
    await expectError(form, 415, 'unsupported_media_type');
  });

  it('422 listing every invalid field of every record, with paths', async () => {
    const { app } = setup();
    const instances = [validRecord, validRecord, validRecord, { ...validRecord, bmi: 'high' }];
    instances[1] = { ...validRecord, age: 5, region: 'mars' } as never;
    const error = await expectError(
      await app.request('/predict', postJson({ instances })),
      422,
      'validation_failed',
    );
    const paths = error.details.map((d) => d.path).sort();
    expect(paths).toEqual(['instances[1].age', 'instances[1].region', 'instances[3].bmi']);
    for (const d of error.details) expect(d.message.length).toBeGreaterThan(0);
  });

  it('422 for a single record with missing and wrong fields', async () => {
    const { app } = setup();
    const error = await expectError(
      await app.request('/predict', postJson({ age: 40, sex: 'other' })),
      422,
      'validation_failed',
    );
    const paths = error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['sex', 'bmi', 'children', 'smoker', 'region']));
  });

  it('422 for bodies that are not records', async () => {
    const { app } = setup();
    for (const body of ['[]', '42', 'null', '"text"', '[{"age":40}]']) {
      await expectError(await app.request('/predict', postJson(body)), 422, 'validation_failed');
    }
  });

  it('422 for a bad batch envelope: not an array, empty, too long, or extra keys', async () => {
    const { app } = setup({ env: { MAX_BATCH: '2' } });
    const cases: [unknown, string][] = [
      [{ instances: validRecord }, 'instances'],
      [{ instances: [] }, 'instances'],
      [{ instances: [validRecord, validRecord, validRecord] }, 'instances'],
      [{ instances: [validRecord], extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const error = await expectError(
        await app.request('/predict', postJson(body)),
        422,
        'validation_failed',
      );
      expect(error.details.map((d) => d.path)).toContain(path);
    }
  });

  it('503 with Retry-After while the model is not ready', async () => {
    const { app } = setup({ ready: false });
    const res = await app.request('/predict', postJson(validRecord));
    await expectError(res, 503, 'not_ready');
    expect(res.headers.get('retry-after')).toBe('1');
    const { app: stopped, deps } = setup();
    deps.readiness.markStopped();
    await expectError(await stopped.request('/predict', postJson(validRecord)), 503, 'not_ready');
  });

  it('503 with Retry-After when the batching queue is full', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { app, deps } = setup({
      env: { MAX_QUEUE: '2' },
      run: async (records) => {
        started();
        await gate;
        return records.map(() => 1);
      },
    });
    const first = app.request('/predict', postJson(validRecord));
    await running;
    const second = app.request('/predict', postJson({ instances: [validRecord, validRecord] }));
    // Wait until both reached the batcher: the first runs (blocked), the second fills the queue.
    const queued = async () => (await deps.metrics.queueRows.get()).values[0]?.value;
    while ((await queued()) !== 2) await new Promise((resolve) => setImmediate(resolve));
    const refused = await app.request('/predict', postJson(validRecord));
    await expectError(refused, 503, 'overloaded');
    expect(refused.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('500 without internal detail when the model run fails, and logs the cause', async () => {
    const { app, lines } = setup({
      run: async () => {
        throw new Error('onnxruntime exploded at /secret/path');
      },
    });
    const res = await app.request('/predict', postJson(validRecord, { 'X-Request-Id': 'req-500' }));
    const error = await expectError(res, 500, 'internal');
    const text = JSON.stringify(error);
    expect(text).not.toMatch(/onnxruntime|secret|exploded|at /);
    const logged = lines.find((l) => l.severity === 'ERROR');
    expect(logged).toMatchObject({ requestId: 'req-500' });
    expect(logged).not.toHaveProperty('traceId');
    expect(JSON.stringify(logged)).toContain('onnxruntime exploded');
  });

  it('logs a failed traced request’s error under its trace, like its request line', async () => {
    const trace = '0123456789abcdef0123456789abcdef';
    const { app, lines } = setup({
      env: { GOOGLE_CLOUD_PROJECT: 'acme-prod' },
      run: async () => {
        throw new Error('boom');
      },
    });
    const traceparent = `00-${trace}-${'c'.repeat(16)}-01`;
    await expectError(
      await app.request('/predict', postJson(validRecord, { traceparent })),
      500,
      'internal',
    );
    const error = lines.find((l) => l.severity === 'ERROR');
    const request = lines.find((l) => 'status' in l);
    const link = `projects/acme-prod/traces/${trace}`;
    expect(error).toMatchObject({ traceId: trace, 'logging.googleapis.com/trace': link });
    expect(request).toMatchObject({ status: 500, 'logging.googleapis.com/trace': link });
  });

  it('a failed run fails only the requests in it', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const sizes: number[] = [];
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { app, deps } = setup({
      run: async (records) => {
        sizes.push(records.length);
        started();
        if (sizes.length === 1) await gate;
        if (records.some((r) => r.age === 99)) throw new Error('poisoned batch');
        return records.map(fakeInsurancePrediction);
      },
    });
    const first = app.request('/predict', postJson(validRecord));
    await running;
    const queued = async () => (await deps.metrics.queueRows.get()).values[0]?.value;
    const poisoned = app.request('/predict', postJson({ ...validRecord, age: 99 }));
    const neighbour = app.request('/predict', postJson({ ...validRecord, age: 50 }));
    while ((await queued()) !== 2) await new Promise((resolve) => setImmediate(resolve));
    open();
    expect((await first).status).toBe(200);
    await expectError(await poisoned, 500, 'internal');
    await expectError(await neighbour, 500, 'internal');
    const after = await app.request('/predict', postJson({ ...validRecord, age: 51 }));
    expect(after.status).toBe(200);
    expect(sizes).toEqual([1, 2, 1]);
  });

  it('404 JSON for unknown routes, 405 for another method on a prediction route', async () => {
    const { app } = setup();
    await expectError(await app.request('/nope'), 404, 'not_found');
    const get = await app.request('/predict');
    expect(get.headers.get('allow')).toBe('POST');
    await expectError(get, 405, 'method_not_allowed');
  });
});

describe('request id, logs and headers', () => {
  it('echoes X-Request-Id, or generates one, and logs one line per request', async () => {
    const { app, lines } = setup();
    const given = await app.request(
      '/predict',
      postJson(validRecord, { 'X-Request-Id': 'abc-123' }),
    );
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const generated = await app.request('/healthz');
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const requestLines = lines.filter((l) => 'status' in l);
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatchObject({
      severity: 'INFO',
      requestId: 'abc-123',
      method: 'POST',
      path: '/predict',
      status: 200,
      httpRequest: { requestMethod: 'POST', status: 200 },
    });
    expect(typeof requestLines[0]?.durationMs).toBe('number');
    expect(typeof requestLines[0]?.message).toBe('string');
    expect(requestLines[1]).toMatchObject({ requestId: id, path: '/healthz', status: 200 });
  });

  it('logs the trace of a traced request, with Cloud Logging’s fields when the project is known', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${trace}-00f067aa0ba902b7-01`;
    const plain = setup();
    await plain.app.request('/healthz', { headers: { traceparent } });
    await plain.app.request('/healthz');
    const [traced, untraced] = plain.lines.filter((l) => 'status' in l);
    expect(traced).toMatchObject({ traceId: trace, spanId: '00f067aa0ba902b7' });
    expect(traced).not.toHaveProperty(['logging.googleapis.com/trace']);
    expect(untraced).not.toHaveProperty('traceId');

    const gcp = setup({ env: { GOOGLE_CLOUD_PROJECT: 'acme-prod' } });
    await gcp.app.request(
      '/predict',
      postJson(validRecord, { 'X-Cloud-Trace-Context': `${trace}/1;o=1` }),
    );
    const [line] = gcp.lines.filter((l) => 'status' in l);
    expect(line).toMatchObject({
      status: 200,
      traceId: trace,
      'logging.googleapis.com/trace': `projects/acme-prod/traces/${trace}`,
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  it('replaces a request id with unsafe characters', async () => {
    const { app } = setup();
    const res = await app.request('/healthz', { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(res.headers.get('x-request-id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('sends the minimal security headers on JSON answers (errors too) and no version banner', async () => {
    const { app } = setup();
    for (const res of [
      await app.request('/healthz'),
      await app.request('/predict', postJson(validRecord)),
      await app.request('/predict', postJson('{')),
      await app.request('/no-such-route'),
    ]) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get('server')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it("sends the full security header set on HTML, keeping the page's own CSP", async () => {
    const { app } = setup();
    for (const path of ['/', '/docs']) {
      const res = await app.request(path);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('asks clients to close connections once the listener is closed', async () => {
    const { app, deps } = setup();
    expect((await app.request('/healthz')).headers.get('connection')).toBeNull();
    deps.readiness.markStopping();
    const res = await app.request('/predict', postJson(validRecord));
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
  });
});

describe('GET /metrics', () => {
  it('exposes request, inference, batching and model metrics in Prometheus text format', async () => {
    const { app } = setup();
    await app.request('/predict', postJson({ instances: [validRecord, validRecord, validRecord] }));
    await app.request('/predict', postJson('{'));
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('http_requests_total{method="POST",route="/predict",status="200"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/predict",status="400"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/predict",status="200"\} 1/,
    );
    expect(text).toContain('inference_predicted_rows_total 3');
    expect(text).toContain('inference_run_duration_seconds_count 1');
    expect(text).toContain('inference_batch_rows_sum 3');
    expect(text).toContain('inference_queue_rows 0');
    expect(text).toMatch(/http_requests_in_flight 1\b/);
    expect(text).toMatch(
      /inference_model_info\{name="insurance-charges",version="1\.0\.0",fingerprint="[0-9a-f]{64}"\} 1/,
    );
  });

  it('labels unknown paths as unmatched, so raw paths never become labels', async () => {
    const { app } = setup();
    await app.request('/some/random/path');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain('/some/random/path');
  });
});

describe('routing', () => {
  it("the route table is one Hono's regexp router takes (a pattern route would make Hono fall back to its slower trie router for every request)", () => {
    const { deps } = fakeDeps();
    const app = createApp(deps);
    const router = new RegExpRouter<string>();
    for (const route of app.routes) router.add(route.method, route.path, route.path);
    const matched = router.match('POST', '/predict')[0].map(([path]) => path);
    expect(matched).toContain('/predict');
    expect(router.match('GET', '/docs/swagger-ui.css')[0].map(([path]) => path)).toContain(
      '/docs/swagger-ui.css',
    );
  });
});
