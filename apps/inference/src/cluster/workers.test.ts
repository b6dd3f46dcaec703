// WORKERS=2 for real: the built service (dist/server.js) as a primary and two worker processes,
// over real HTTP, new connections for every request (so that the kernel hands them to both
// workers). Processes, model loads and restarts on a loaded 2-core machine: generous timeouts.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProfile, compileSchema, type FeatureRecord } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import {
  freePort,
  type LinearModel,
  linearModel,
  type Managed,
  startProcess,
  waitForHttp,
  writeModelDir,
} from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_FILE } from '../reload/source.ts';
import { distinctRecord } from '../testing/fake-deps.ts';

const serverJs = fileURLToPath(new URL('../../dist/server.js', import.meta.url));
if (!existsSync(serverJs)) {
  throw new Error(`${serverJs} is missing: run pnpm --filter @modelship/inference build first`);
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request on a connection of its own (`agent: false`): each one is a new accept. */
function send(port: number, method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = (reply: Reply) => JSON.parse(reply.body);

/** Polls `check` until it holds (a condition, not a timing assertion; fails after `ms`). */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The value of one sample line of the Prometheus text format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The insurance schema as version `version` (same fields, output and task). */
const schemaOf = (version: string) => ({
  ...insuranceSchema,
  model: { ...insuranceSchema.model, version },
});

/** A model directory of `version` with a training profile (drift monitoring on). */
async function writeVersion(dir: string, version: string, model: LinearModel): Promise<void> {
  await writeModelDir(schemaOf(version), model.bytes, dir);
  const compiled = compileSchema(schemaOf(version));
  const training = Array.from({ length: 300 }, (_, i) => distinctRecord(i));
  const profile = buildProfile(compiled.schema, training, model.reference(training), {
    fingerprint: compiled.fingerprint,
  });
  await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
}

/** Points `current` at `name` the way a deployer must: write beside, then rename. */
async function pointAt(root: string, name: string) {
  const tmp = join(root, `.${CURRENT_FILE}.tmp`);
  await writeFile(tmp, `${name}\n`);
  await rename(tmp, join(root, CURRENT_FILE));
}

interface Pod {
  readonly primary: Managed;
  readonly port: number;
  readonly probePort: number;
  /** Every JSON line the processes wrote so far. */
  lines(): Record<string, unknown>[];
  /** The primary's view: `GET /readyz` on the probe port. */
  probe(): Promise<{ status: number; body: ProbeBody }>;
}

interface ProbeBody {
  status: string;
  model?: { version: string };
  workers: { worker: number; pid: number | null; state: string }[];
}

/** Starts `node dist/server.js` with WORKERS=2 and `env`, without waiting for it. */
async function startPod(logDir: string, name: string, env: Record<string, string>): Promise<Pod> {
  const [port, probePort] = [await freePort(), await freePort()];
  const primary = startProcess({
    name,
    command: process.execPath,
    args: [serverJs],
    env: {
      PATH: process.env.PATH ?? '',
      WORKERS: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      PROBE_PORT: String(probePort),
      SHUTDOWN_DELAY: '0',
      ...env,
    },
    logDir,
  });
  return {
    primary,
    port,
    probePort,
    lines: () =>
      readFileSync(primary.logFile, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    probe: async () => {
      const reply = await send(probePort, 'GET', '/readyz');
      return { status: reply.status, body: json(reply) as ProbeBody };
    },
  };
}

/** Runs `n` calls of `task`, `concurrency` at a time. */
async function inParallel<T>(n: number, concurrency: number, task: (i: number) => Promise<T>) {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('WORKERS=2: a primary and two service processes', { timeout: 180_000 }, () => {
  let logDir: string;
  let root: string;
  let pod: Pod;
  const models = {
    v1: linearModel(schemaOf('v1')),
    v2: linearModel(schemaOf('v2'), { weights: [3, -2, 5, 1, 7, 11, -4, 2, 9], bias: 100 }),
  };
  const predict = (r: FeatureRecord) => send(pod.port, 'POST', '/predict', JSON.stringify(r));
  let predictions = 0;

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'modelship-workers-'));
    root = join(logDir, 'models');
    await writeVersion(join(root, 'v1'), 'v1', models.v1);
    await writeVersion(join(root, 'v2'), 'v2', models.v2);
    await pointAt(root, 'v1');
    pod = await startPod(logDir, 'pod', { MODEL_DIR: root, MODEL_POLL_INTERVAL: '0' });
    await waitForHttp({
      url: `http://127.0.0.1:${pod.probePort}/readyz`,
      process: pod.primary,
      timeoutMs: 120_000,
    });
  }, 180_000);

  afterAll(async () => {
    await pod?.primary.stop();
    await rm(logDir, { recursive: true, force: true });
  }, 60_000);

  it('owns the probe port in the primary: /readyz 200 once both workers are ready', async () => {
    const { status, body } = await pod.probe();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.model?.version).toBe('v1');
    expect(body.workers.map((w) => [w.worker, w.state])).toEqual([
      [1, 'ready'],
      [2, 'ready'],
    ]);
    const pids = body.workers.map((w) => w.pid);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(pod.primary.pid);
    expect(json(await send(pod.probePort, 'GET', '/healthz'))).toMatchObject({ status: 'ok' });
    // The workers started with PROBE_PORT set and never bound it: the primary's listener is
    // the one answering (a worker's probe routes would not list the workers).
    expect(pod.lines().filter((l) => String(l.message).startsWith('probes on'))).toEqual([]);
  });

  it('serves from both worker processes: new connections reach each', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 300 && seen.size < 2; i += 1) {
      const reply = await send(pod.port, 'GET', '/readyz');
      expect(reply.status).toBe(200);
      seen.add(json(reply).worker);
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it("/metrics and /monitoring describe the whole pod: every worker's requests and records", async () => {
    const n = 120;
    const replies = await inParallel(n, 4, (i) => predict(distinctRecord(i)));
    predictions += n;
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const text = (await send(pod.port, 'GET', '/metrics')).body;
    expect(sample(text, 'http_requests_total{method="POST",route="/predict",status="200"}')).toBe(
      n,
    );
    expect(sample(text, 'inference_predicted_rows_total')).toBe(n);
    expect(sample(text, 'modelship_monitor_window_records')).toBe(n);
    expect(sample(text, 'modelship_worker_restarts_total')).toBe(0);
    for (const worker of ['1', '2']) {
      expect(sample(text, `process_resident_memory_bytes{worker="${worker}"}`)).toBeGreaterThan(0);
    }
    const info = text.split('\n').filter((l) => l.startsWith('inference_model_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]).toMatch(/version="v1".* 1$/);
    const page = (await send(pod.port, 'GET', '/monitoring')).body;
    expect(page).toContain('the last 10000 records of each of 2 service processes');
    expect(page).toContain(`<strong data-records>${n}</strong>`);
  });

  it('POST /admin/reload switches every worker to the new version', async () => {
    await pointAt(root, 'v2');
    const reply = await send(pod.port, 'POST', '/admin/reload');
    expect(reply.status).toBe(200);
    const body = json(reply);
    expect(body).toMatchObject({ outcome: 'switched', version: 'v2', model: { version: 'v2' } });
    expect(
      body.workers.map((w: { worker: number; outcome: string; model: { version: string } }) => [
        w.worker,
        w.outcome,
        w.model.version,
      ]),
    ).toEqual([
      [1, 'switched', 'v2'],
      [2, 'switched', 'v2'],
    ]);
    const records = Array.from({ length: 40 }, (_, i) => distinctRecord(1000 + i));
    const replies = await inParallel(records.length, 4, (i) =>
      predict(records[i] as FeatureRecord),
    );
    predictions += records.length;
    expect(replies.map((r) => r.headers['x-model-version'])).toEqual(records.map(() => 'v2'));
    expect(replies.map((r) => json(r).prediction)).toEqual(
      records.map((r) => models.v2.reference([r])[0]),
    );
    await until(
      'the primary to see v2',
      async () => (await pod.probe()).body.model?.version === 'v2',
    );
    // A second reload finds nothing new on either worker.
    const again = json(await send(pod.port, 'POST', '/admin/reload'));
    expect(again.outcome).toBe('unchanged');
    expect(again.workers).toHaveLength(2);
  });

  it('restarts a worker that dies, logging it, on the version current names', async () => {
    const before = (await pod.probe()).body.workers;
    const victim = before.find((w) => w.worker === 2)?.pid as number;
    process.kill(victim, 'SIGKILL');
    await until('worker 2 to be replaced and the pod ready again', async () => {
      const { status, body } = await pod.probe();
      const pid = body.workers.find((w) => w.worker === 2)?.pid;
      return status === 200 && pid !== null && pid !== victim;
    });
    const line = pod
      .lines()
      .find((l) => String(l.message).includes('exited unexpectedly') && l.pid === victim);
    expect(line).toMatchObject({
      severity: 'ERROR',
      worker: 2,
      signal: 'SIGKILL',
      message: `service process 2 (pid ${victim}) exited unexpectedly (killed by SIGKILL); restarting it in 500 ms`,
    });
    const text = (await send(pod.port, 'GET', '/metrics')).body;
    expect(sample(text, 'modelship_worker_restarts_total')).toBe(1);
    expect((await pod.probe()).body.workers.every((w) => w.state === 'ready')).toBe(true);
    expect(text).toMatch(/^inference_model_info\{name="[^"]+",version="v2",.*\} 1$/m);
    expect(text).not.toMatch(/version="v1"/);
    expect(predictions).toBe(160);
  });

  it('SIGTERM: each worker drains and exits, then the primary, with exit code 0', async () => {
    const pids = (await pod.probe()).body.workers.map((w) => w.pid as number);
    process.kill(pod.primary.pid, 'SIGTERM');
    expect(await pod.primary.ended).toEqual({ code: 0, signal: null });
    expect(pids.filter(isAlive)).toEqual([]);
    const lines = pod.lines();
    for (const worker of [1, 2]) {
      expect(
        lines.some((l) => l.worker === worker && l.message === 'shutdown: drained; exiting'),
      ).toBe(true);
    }
    expect(lines.at(-1)?.message).toBe('every service process has exited; exiting with 0');
  });
});

describe('WORKERS=2: failures', { timeout: 180_000 }, () => {
  let logDir: string;
  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'modelship-workers-fail-'));
  });
  afterAll(async () => {
    await rm(logDir, { recursive: true, force: true });
  });

  it('a startup failure is one CRITICAL line and exit 1, with no fork loop', async () => {
    const missing = await writeModelDir(insuranceSchema, null);
    const pod = await startPod(logDir, 'no-model', { MODEL_DIR: missing });
    expect(await pod.primary.ended).toEqual({ code: 1, signal: null });
    const lines = pod.lines();
    const critical = lines.filter((l) => l.severity === 'CRITICAL');
    expect(critical).toHaveLength(1);
    expect(critical[0]?.message).toMatch(/^startup failed: model not found: .*model\.onnx/);
    // Only worker 1 was started: the others wait for a first worker to load the model.
    expect(new Set(lines.flatMap((l) => (typeof l.worker === 'number' ? [l.worker] : [])))).toEqual(
      new Set([1]),
    );
    expect(lines.some((l) => String(l.message).startsWith('listening'))).toBe(false);
    await rm(missing, { recursive: true, force: true });
  });

  it('a probe port in use is one CRITICAL line and exit 1 before any worker starts', async () => {
    const blocker = createServer();
    const busy = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busy, '0.0.0.0', resolve));
    try {
      const pod = await startPod(logDir, 'busy-probe', { PROBE_PORT: String(busy) });
      expect(await pod.primary.ended).toEqual({ code: 1, signal: null });
      const lines = pod.lines();
      expect(lines.filter((l) => l.severity === 'CRITICAL').map((l) => l.message)).toEqual([
        expect.stringMatching(/^startup failed: .*EADDRINUSE/),
      ]);
      expect(lines.some((l) => l.worker !== undefined)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('a crash loop (six worker exits within a minute) ends the primary with exit code 1', async () => {
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    const pod = await startPod(logDir, 'crash-loop', { MODEL_DIR: dir });
    await waitForHttp({
      url: `http://127.0.0.1:${pod.probePort}/readyz`,
      process: pod.primary,
      timeoutMs: 120_000,
    });
    const killed: number[] = [];
    let ended: { code: number | null; signal: string | null } | undefined;
    void pod.primary.ended.then((e) => {
      ended = e;
    });
    // Kill worker 1 whenever it runs (the primary restarts it: 0.5, 1, 2, 4, 8 s later).
    while (killed.length < 6) {
      let pid: number | null | undefined;
      await until('a worker 1 to kill', async () => {
        if (ended) return true;
        // The probe listener closes as the primary exits.
        const probe = await pod.probe().catch(() => undefined);
        pid = probe?.body.workers.find((w) => w.worker === 1)?.pid;
        return typeof pid === 'number' && !killed.includes(pid);
      });
      if (ended || typeof pid !== 'number') break;
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    }
    expect(killed).toHaveLength(6);
    expect(await pod.primary.ended).toEqual({ code: 1, signal: null });
    const lines = pod.lines();
    expect(lines.filter((l) => l.severity === 'CRITICAL').map((l) => l.message)).toEqual([
      expect.stringMatching(/exited unexpectedly .*the 6th exit within 60 s: a crash loop/),
    ]);
    expect(
      lines.filter((l) => String(l.message).includes('restarting it in')).map((l) => l.restartInMs),
    ).toEqual([500, 1000, 2000, 4000, 8000]);
    await rm(dir, { recursive: true, force: true });
  });
});
