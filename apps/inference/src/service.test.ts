import { Agent, get as httpGet } from 'node:http';
import type { Socket } from 'node:net';
import { insuranceSchema } from '@modelship/insurance-model';
import { freePort, linearModel, writeModelDir } from '@modelship/testkit';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { AppEnv } from './deps.ts';
import { listen } from './lifecycle/listen.ts';
import { loadModel } from './model/load.ts';
import type { ServedModel } from './model/served-model.ts';
import { healthRoutes } from './routes/health.ts';
import { createDeps, type Service, startService } from './service.ts';
import { distinctRecord, loopbackConfig, memoryLogger } from './testing/fake-deps.ts';

const fixture = linearModel(insuranceSchema);
const record = distinctRecord;
const json = { 'Content-Type': 'application/json' };

async function startOn(env: Record<string, string>): Promise<Service> {
  const dir = await writeModelDir(insuranceSchema, fixture.bytes);
  const config = loopbackConfig({
    MODEL_DIR: dir,
    ...env,
  });
  return startService({ config, logger: memoryLogger().logger, exit: () => {} });
}

async function metric(base: string, line: RegExp): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = text.match(line);
  if (!match?.[1]) throw new Error(`no ${line} in /metrics`);
  return Number(match[1]);
}

describe('the real server over HTTP', () => {
  let service: Service;
  let base: string;
  beforeAll(async () => {
    service = await startOn({});
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.shutdown.begin('test done');
  });

  it('serves probes and predictions', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const res = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(record(1)),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
    expect(await res.json()).toMatchObject({ prediction: fixture.reference([record(1)])[0] });
  });

  it('keeps idle connections longer than nginx (60 s), headers timeout above that', () => {
    expect(service.server.keepAliveTimeout).toBe(65_000);
    expect(service.server.headersTimeout).toBeGreaterThan(65_000);
  });

  it('refuses a 10 MB body with 413 without falling over', async () => {
    const big = `{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const declared = await fetch(`${base}/predict`, { method: 'POST', headers: json, body: big });
    expect(declared.status).toBe(413);
    const bytes = new TextEncoder().encode(big);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + 65_536));
        offset += 65_536;
      },
    });
    const chunked = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: json,
      body: stream,
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    // Either the 413 arrives, or the server cut the upload short after answering it.
    if (chunked instanceof Response) expect(chunked.status).toBe(413);
    const after = await fetch(`${base}/predict_api`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(record(2)),
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toBe(fixture.reference([record(2)])[0]);
  });
});

describe('server-side batching over HTTP', () => {
  it('gives each of many concurrent requests its own answer, coalescing runs', async () => {
    // The real fixture model, each run held for 5 ms (a model slower than the request rate),
    // so that requests arrive while a run is in flight.
    const dir = await writeModelDir(insuranceSchema, fixture.bytes);
    const model = await loadModel({ dir });
    const slow: ServedModel = {
      ...model,
      run: async (records) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return model.run(records);
      },
    };
    const config = loadConfig({ MODEL_DIR: dir });
    const deps = createDeps({
      config,
      logger: memoryLogger().logger,
      model: slow,
      defaultMetrics: false,
    });
    deps.readiness.markReady();
    const { server, port } = await listen(createApp(deps), { port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    const n = 120;
    const responses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        // Every third request is a batch of three, so batches interleave with single records.
        const body =
          i % 3 === 0 ? { instances: [record(i), record(i + 1000), record(i + 2000)] } : record(i);
        const res = await fetch(`${base}/predict`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify(body),
        });
        return { i, status: res.status, body: (await res.json()) as Record<string, unknown> };
      }),
    );
    for (const { i, status, body } of responses) {
      expect(status).toBe(200);
      if (i % 3 === 0) {
        expect(body.predictions).toEqual(
          fixture.reference([record(i), record(i + 1000), record(i + 2000)]),
        );
      } else {
        expect(body.prediction).toBe(fixture.reference([record(i)])[0]);
      }
    }
    const runs = await metric(base, /^inference_batch_rows_count (\d+)/m);
    expect(await metric(base, /^inference_batch_rows_sum (\d+)/m)).toBe(n + 2 * (n / 3));
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(n);
    server.close();
    server.closeAllConnections();
    await model.release();
  });
});

describe('keep-alive connections while stopping', () => {
  it('serves a request on an open connection with Connection: close, then the socket closes', async () => {
    const dir = await writeModelDir(insuranceSchema, fixture.bytes);
    const model = await loadModel({ dir });
    const deps = createDeps({
      config: loadConfig({ MODEL_DIR: dir }),
      logger: memoryLogger().logger,
      model,
      defaultMetrics: false,
    });
    deps.readiness.markReady();
    const { server, port } = await listen(createApp(deps), { port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ connection: string | undefined; socket: Socket }>((resolve, reject) => {
        const req = httpGet({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ connection: res.headers.connection, socket: req.socket as Socket }),
          );
        });
        req.on('error', reject);
      });
    const first = await get();
    expect(first.connection).toBe('keep-alive');
    deps.readiness.markStopping();
    const second = await get();
    expect(second.socket).toBe(first.socket);
    expect(second.connection).toBe('close');
    await new Promise<void>((resolve) => {
      if (second.socket.destroyed) resolve();
      else second.socket.once('close', () => resolve());
    });
    agent.destroy();
    server.close();
    await model.release();
  });
});

describe('with BATCHING=off', () => {
  it('runs each request on its own and still answers correctly', async () => {
    const service = await startOn({ BATCHING: 'off' });
    const base = `http://127.0.0.1:${service.port}`;
    const n = 30;
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await fetch(`${base}/predict_api`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify(record(i)),
        });
        return res.json();
      }),
    );
    expect(results).toEqual(Array.from({ length: n }, (_, i) => fixture.reference([record(i)])[0]));
    expect(
      await metric(`http://127.0.0.1:${service.ops?.port}`, /^inference_batch_rows_count (\d+)/m),
    ).toBe(n);
    expect(await service.shutdown.begin('test done')).toBe(0);
  });
});

describe('the operational listener (OPS_PORT)', () => {
  const operational = [
    ['GET', '/metrics'],
    ['GET', '/monitoring'],
    ['POST', '/admin/reload'],
  ] as const;

  it('serves /metrics, /monitoring and /admin/reload there, and never on PORT', async () => {
    const service = await startOn({});
    try {
      const serving = `http://127.0.0.1:${service.port}`;
      const ops = `http://127.0.0.1:${service.ops?.port}`;
      for (const [method, path] of operational) {
        expect([path, (await fetch(`${serving}${path}`, { method })).status]).toEqual([path, 404]);
        const there = await fetch(`${ops}${path}`, { method });
        expect([path, there.status < 400 || there.status === 409]).toEqual([path, true]);
      }
      expect(await (await fetch(`${ops}/metrics`)).text()).toMatch(/^http_requests_total/m);
      // The operational listener serves nothing else.
      expect((await fetch(`${ops}/predict`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${ops}/openapi.json`)).status).toBe(404);
    } finally {
      await service.shutdown.begin('test done');
    }
  });

  it('binds loopback by default, and without OPS_PORT serves them nowhere', async () => {
    const service = await startOn({ OPS_PORT: '' });
    try {
      expect(service.ops).toBeUndefined();
      const serving = `http://127.0.0.1:${service.port}`;
      for (const [method, path] of operational) {
        expect((await fetch(`${serving}${path}`, { method })).status).toBe(404);
      }
    } finally {
      await service.shutdown.begin('test done');
    }
    const bound = await startOn({ HOST: '0.0.0.0' });
    try {
      expect(bound.ops?.host).toBe('127.0.0.1');
    } finally {
      await bound.shutdown.begin('test done');
    }
  });
});

describe('startService with other route modules', () => {
  it('mounts them inside the same stack (request id, security headers, JSON 404)', async () => {
    const dir = await writeModelDir(insuranceSchema, fixture.bytes);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MODEL_DIR: dir });
    const constant = () => new Hono<AppEnv>().post('/predict', (c) => c.json({ prediction: 1 }));
    const service = await startService({
      config,
      logger: memoryLogger().logger,
      exit: () => {},
      routes: [healthRoutes, constant],
    });
    const base = `http://127.0.0.1:${service.port}`;
    const res = await fetch(`${base}/predict`, { method: 'POST', headers: json, body: '{}' });
    expect(await res.json()).toEqual({ prediction: 1 });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect(await service.shutdown.begin('test done')).toBe(0);
  });
});

describe('the probe listener and readiness while draining', () => {
  it('answers /healthz and /readyz on PROBE_PORT, nothing else, without log lines', async () => {
    const probePort = await freePort();
    const dir = await writeModelDir(insuranceSchema, fixture.bytes);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MODEL_DIR: dir,
      PROBE_PORT: String(probePort),
      SHUTDOWN_DELAY: '0.3',
    });
    const { logger, lines } = memoryLogger();
    const service = await startService({ config, logger, exit: () => {} });
    const probes = `http://127.0.0.1:${probePort}`;
    try {
      expect((await fetch(`${probes}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${probes}/readyz`)).json()).toMatchObject({ status: 'ready' });
      expect((await fetch(`${probes}/predict`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect(lines.filter((line) => JSON.stringify(line).includes('/healthz'))).toEqual([]);
      const stopping = service.shutdown.begin('test');
      // Draining with the default SHUTDOWN_READINESS=fail: unready at once, still alive.
      expect((await fetch(`${probes}/readyz`)).status).toBe(503);
      expect((await fetch(`${probes}/healthz`)).status).toBe(200);
      await stopping;
      // The probe listener closes with the service.
      await expect(fetch(`${probes}/healthz`)).rejects.toThrow();
    } finally {
      await service.shutdown.begin('test done');
    }
  });

  it('stays ready during the delay with SHUTDOWN_READINESS=keep, then turns unready', async () => {
    const service = await startOn({ SHUTDOWN_DELAY: '0.5', SHUTDOWN_READINESS: 'keep' });
    const base = `http://127.0.0.1:${service.port}`;
    const stopping = service.shutdown.begin('test');
    const during = await fetch(`${base}/readyz`);
    expect(during.status).toBe(200);
    expect(await during.json()).toMatchObject({ status: 'draining' });
    expect(service.deps.readiness.ready).toBe(true);
    await stopping;
    expect(service.deps.readiness.ready).toBe(false);
  });

  it('refuses an unknown SHUTDOWN_READINESS, naming it', () => {
    expect(() => loadConfig({ SHUTDOWN_READINESS: 'sometimes' })).toThrow(/SHUTDOWN_READINESS/);
  });
});
