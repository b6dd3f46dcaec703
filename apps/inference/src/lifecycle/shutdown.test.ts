import { request } from 'node:http';
import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedService, spawnService } from '../testing/spawn-service.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixture = linearModel(insuranceSchema);
const record = (age: number) => ({
  age,
  sex: age % 2 ? 'male' : 'female',
  bmi: 20 + (age % 17),
  children: age % 4,
  smoker: age % 3 ? 'no' : 'yes',
  region: 'northwest',
});
let modelDir: string;

beforeAll(async () => {
  modelDir = await writeModelDir(insuranceSchema, fixture.bytes);
});

const running: SpawnedService[] = [];
afterAll(() => {
  for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
});

async function start(env: Record<string, string>) {
  const service = spawnService({ MODEL_DIR: modelDir, ...env });
  running.push(service);
  const port = await service.listening;
  return { service, base: `http://127.0.0.1:${port}`, port };
}

/**
 * A POST /predict whose body trickles in over `chunks` × `intervalMs` on its own connection,
 * so that it is in flight across the moment the listener closes. With `endBody: false` the
 * body never ends. Resolves with the status and parsed body, or the connection error.
 */
function tricklePredict(
  port: number,
  age: number,
  options: { chunks: number; intervalMs: number; endBody?: boolean },
) {
  const body = JSON.stringify(record(age));
  const size = Math.ceil(body.length / options.chunks);
  return new Promise<{ status: number; body: unknown } | { error: string }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', (error) => resolve({ error: error.message }));
    let sent = 0;
    const timer = setInterval(() => {
      const last = sent + size >= body.length;
      if (last && options.endBody === false) {
        clearInterval(timer);
        return;
      }
      req.write(body.slice(sent, sent + size));
      sent += size;
      if (last) {
        clearInterval(timer);
        req.end();
      }
    }, options.intervalMs);
  });
}

describe('graceful shutdown of the real server', () => {
  it('drops no request of a steady stream on SIGTERM and exits 0', async () => {
    const { service, base, port } = await start({ SHUTDOWN_DELAY: '1', SHUTDOWN_TIMEOUT: '10' });
    let routing = true; // what a load balancer does: route here until it sees "not ready"
    const failures: string[] = [];
    let served = 0;
    const worker = async (id: number) => {
      for (let i = 0; routing; i++) {
        const age = 18 + ((id * 13 + i) % 80);
        try {
          const res = await fetch(`${base}/predict`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(record(age)),
          });
          const body = (await res.json()) as { prediction?: number };
          if (res.status !== 200 || body.prediction !== fixture.reference([record(age)])[0]) {
            failures.push(`${res.status} ${JSON.stringify(body)}`);
          } else served += 1;
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await sleep(300);
    service.child.kill('SIGTERM');
    // Readiness turns false at once; the "load balancer" reacts within a fraction of the delay.
    let readyStatus = 200;
    while (readyStatus === 200) {
      readyStatus = (await fetch(`${base}/readyz`)).status;
      if (readyStatus === 200) await sleep(20);
    }
    expect(readyStatus).toBe(503);
    const servedBeforeDrain = served;
    // Spans the end of the 1 s delay, when the listener closes: it must still be answered.
    const inFlight = tricklePredict(port, 55, { chunks: 6, intervalMs: 150 });
    await sleep(300);
    routing = false;
    await Promise.all(workers);
    const late = await inFlight;
    expect(late).toEqual({
      status: 200,
      body: expect.objectContaining({ prediction: fixture.reference([record(55)])[0] }),
    });
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(servedBeforeDrain);
    expect(await service.exited).toBe(0);
    const messages = service.lines.map((l) => String(l.message));
    expect(messages).toContain('shutdown: drained; exiting');
    // New connections are refused once it has stopped.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 20_000);

  it('finishes in-flight work when a second signal arrives during the drain', async () => {
    const { service, port } = await start({ SHUTDOWN_DELAY: '0.4', SHUTDOWN_TIMEOUT: '10' });
    const inFlight = tricklePredict(port, 30, { chunks: 6, intervalMs: 120 });
    await sleep(100);
    service.child.kill('SIGTERM');
    await sleep(100);
    service.child.kill('SIGINT');
    service.child.kill('SIGTERM');
    expect(await inFlight).toMatchObject({ status: 200 });
    expect(await service.exited).toBe(0);
    const repeated = service.lines.filter((l) => String(l.message).startsWith('shutdown: already'));
    expect(repeated.length).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('exits non-zero at the hard deadline, logging what was cut', async () => {
    const { service, port } = await start({ SHUTDOWN_DELAY: '0', SHUTDOWN_TIMEOUT: '0.5' });
    const stuck = tricklePredict(port, 40, { chunks: 4, intervalMs: 50, endBody: false });
    await sleep(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(await stuck).toHaveProperty('error');
    const cut = service.lines.find((l) => String(l.message).includes('deadline'));
    expect(cut).toMatchObject({ severity: 'ERROR', inFlightRequests: 1 });
  }, 20_000);

  it('writes every request line (stdout is buffered) before it exits on SIGTERM', async () => {
    const { service, base } = await start({ SHUTDOWN_DELAY: '0', SHUTDOWN_TIMEOUT: '5' });
    const ids = Array.from({ length: 30 }, (_, i) => `log-flush-${i}`);
    for (const [i, id] of ids.entries()) {
      const res = await fetch(`${base}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': id },
        body: JSON.stringify(record(20 + i)),
      });
      expect(res.status).toBe(200);
    }
    // At once: the last lines are still in the 4 KiB buffer, not yet flushed by the timer.
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const logged = new Set(service.lines.map((line) => line.requestId));
    expect(ids.filter((id) => !logged.has(id))).toEqual([]);
    expect(service.lines.at(-1)?.message).toBe('shutdown: drained; exiting');
  }, 20_000);
});
