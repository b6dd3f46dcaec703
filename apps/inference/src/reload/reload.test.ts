import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildProfile,
  compileSchema,
  type FeatureRecord,
  parseSchema,
} from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { type LinearModel, linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { PAYLOAD_LINE_KIND } from '../monitoring/payload-log.ts';
import { type Service, startService } from '../service.ts';
import { distinctRecord, fakeDeps, loopbackConfig, memoryLogger } from '../testing/fake-deps.ts';
import { pointAt, schemaOf } from '../testing/versioned-source.ts';

const record = distinctRecord;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(port: number, path: string, body: string, agent: Agent | false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
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

const oipPath = '/v2/models/insurance-charges/infer';
/** One record as an Open Inference Protocol request. */
const oipBody = (r: FeatureRecord) => ({
  inputs: [
    { name: 'age', shape: [1, 1], datatype: 'FP32', data: [r.age] },
    { name: 'sex', shape: [1, 1], datatype: 'BYTES', data: [r.sex] },
    { name: 'bmi', shape: [1, 1], datatype: 'FP32', data: [r.bmi] },
    { name: 'children', shape: [1, 1], datatype: 'INT64', data: [r.children] },
    { name: 'smoker', shape: [1, 1], datatype: 'BYTES', data: [r.smoker] },
    { name: 'region', shape: [1, 1], datatype: 'BYTES', data: [r.region] },
  ],
});

/** Polls `check` until it holds (a condition, not a timing assertion; fails after `ms`). */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Ten loads and warm-ups of a model under load: seconds alone, much more on a loaded 2-core CI.
describe('a versioned model source under load', { timeout: 120_000 }, () => {
  let root: string;
  let service: Service;
  const models: Record<string, LinearModel> = {
    v1: linearModel(schemaOf('v1')),
    v2: linearModel(schemaOf('v2'), { weights: [3, -2, 5, 1, 7, 11, -4, 2, 9], bias: 100 }),
  };
  const sessions = async () => (await service.deps.metrics.modelSessions.get()).values[0]?.value;
  const reloads = async (outcome: string) =>
    (await service.deps.metrics.modelReloads.get()).values.find((v) => v.labels.outcome === outcome)
      ?.value ?? 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-versions-'));
    for (const [name, model] of Object.entries(models)) {
      await writeModelDir(schemaOf(name), model.bytes, join(root, name));
    }
    await pointAt(root, 'v1');
    const config = loopbackConfig({
      MODEL_DIR: root,
      MODEL_POLL_INTERVAL: '0.02',
    });
    service = await startService({ config, logger: memoryLogger().logger, exit: () => {} });
  }, 60_000);
  afterAll(async () => {
    await service?.shutdown.begin('test done');
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it('switches ten times with zero failed requests, each answer labelled and computed by a version current while it ran', async () => {
    expect(service.deps.models.current.ref.version).toBe('v1');
    expect(await sessions()).toBe(1);
    // When each version was current: from the write of `current` that named it (a lower bound
    // of the switch) to the moment the next version was seen serving (an upper bound).
    const spans: { version: string; from: number; to: number }[] = [
      { version: 'v1', from: 0, to: Number.POSITIVE_INFINITY },
    ];
    const answers: { version: string; header: unknown; sent: number; got: number; ok: boolean }[] =
      [];
    let running = true;
    const client = async (c: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let i = c * 10_000;
      while (running) {
        i += 1;
        const r = record(i);
        // Client 0 speaks the Open Inference Protocol, the others /predict.
        const oip = c === 0;
        const sent = performance.now();
        const reply = oip
          ? await post(service.port, oipPath, JSON.stringify(oipBody(r)), agent)
          : await post(service.port, '/predict', JSON.stringify(r), agent);
        const got = performance.now();
        const body = JSON.parse(reply.body);
        const version = oip ? body.model_version : body.model?.version;
        const prediction = oip ? body.outputs?.[0]?.data?.[0] : body.prediction;
        const expected = models[version]?.reference([r])[0];
        answers.push({
          version,
          header: reply.headers['x-model-version'],
          sent,
          got,
          ok:
            reply.status === 200 &&
            expected !== undefined &&
            Math.abs(prediction - expected) <= 1e-3 * Math.max(1, Math.abs(expected)),
        });
      }
      agent.destroy();
    };
    const readyz: number[] = [];
    const probe = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (running) {
        readyz.push(
          await new Promise<number>((resolve, reject) => {
            request({ host: '127.0.0.1', port: service.port, path: '/readyz', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            })
              .on('error', reject)
              .end();
          }),
        );
      }
      agent.destroy();
    };
    const clients = [...[0, 1, 2, 3, 4, 5].map(client), probe()];
    let served = 'v1';
    for (let n = 0; n < 10; n += 1) {
      const next = served === 'v1' ? 'v2' : 'v1';
      const before = answers.length;
      const from = performance.now();
      await pointAt(root, next);
      await until(`${next} served`, () => service.deps.models.current.ref.version === next);
      const seen = performance.now();
      (spans.at(-1) as { to: number }).to = seen;
      spans.push({ version: next, from, to: Number.POSITIVE_INFINITY });
      served = next;
      // Back to one onnxruntime session once the old version's last request is done.
      await until('one session', async () => (await sessions()) === 1);
      await until('traffic on the new version', () => answers.length > before + 20);
      expect((await fetch(`http://127.0.0.1:${service.port}/readyz`)).status).toBe(200);
    }
    running = false;
    await Promise.all(clients);

    expect(answers.length).toBeGreaterThan(200);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    for (const a of answers) {
      expect(a.header).toBe(a.version);
      const current = spans.some(
        (s) => s.version === a.version && s.from <= a.got && a.sent <= s.to,
      );
      expect(current, JSON.stringify(a)).toBe(true);
    }
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set(['v1', 'v2']));
    expect(readyz.length).toBeGreaterThan(10);
    expect(readyz.filter((status) => status !== 200)).toEqual([]);
    expect(await reloads('switched')).toBe(10);
    expect(await sessions()).toBe(1);
    const metrics = await (await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`)).text();
    expect(metrics).toMatch(/inference_model_info\{name="insurance-charges",version="v1",/);
    expect(metrics).not.toMatch(/inference_model_info\{[^}]*version="v2"/);
  });

  it('refuses a corrupt or fingerprint-mismatched version and keeps serving the old one', async () => {
    const was = service.deps.models.current.ref.version;
    await writeModelDir(schemaOf('broken'), 'not an onnx model', join(root, 'broken'));
    const stranger = linearModel(schemaOf('stranger'), { fingerprint: 'a'.repeat(64) });
    await writeModelDir(schemaOf('stranger'), stranger.bytes, join(root, 'stranger'));
    // A version that would change the API (age up to 120): a rollout, not a reload.
    const other = {
      ...schemaOf('other'),
      fields: insuranceSchema.fields.map((f) => (f.name === 'age' ? { ...f, max: 120 } : f)),
    };
    await writeModelDir(other, linearModel(other).bytes, join(root, 'other'));
    const admin = (path: string) => post(service.ops?.port ?? 0, path, '', false);
    for (const [name, reason] of [
      ['broken', /not a valid ONNX model/],
      ['stranger', /does not belong to schema.json/],
      ['missing', /schema.json/],
      ['other', /differs from the served version's/],
    ] as const) {
      const refusedBefore = await reloads('refused');
      await pointAt(root, name);
      const reply = await admin('/admin/reload');
      expect(reply.status, name).toBe(409);
      const body = JSON.parse(reply.body);
      expect(body).toMatchObject({ outcome: 'refused', version: name, model: { version: was } });
      expect(body.reason, body.reason).toMatch(reason);
      expect(await reloads('refused')).toBeGreaterThan(refusedBefore);
      const r = record(7);
      const answer = await post(service.port, '/predict', JSON.stringify(r), false);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({
        prediction: models[was]?.reference([r])[0],
        model: { version: was },
      });
      expect(await sessions()).toBe(1);
    }
    await pointAt(root, was);
    expect(JSON.parse((await admin('/admin/reload')).body)).toMatchObject({
      outcome: 'unchanged',
      version: was,
    });
  });
});

describe('a plain model directory', () => {
  it('is served as before and never reloaded: the admin route answers 409 not_versioned', async () => {
    const { deps } = fakeDeps();
    const app = createApp(deps);
    const reply = await app.request('/admin/reload', { method: 'POST' });
    expect(reply.status).toBe(409);
    expect(await reply.json()).toMatchObject({ outcome: 'not_versioned' });
    const get = await app.request('/admin/reload');
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });
});

describe('drift monitoring across a reload', { timeout: 60_000 }, () => {
  it("follows the served version's profile: none, then the new version's, counted from the switch", async () => {
    const root = await mkdtemp(join(tmpdir(), 'modelship-versions-'));
    const v1 = linearModel(schemaOf('v1'));
    const v2 = linearModel(schemaOf('v2'), { bias: 50 });
    await writeModelDir(schemaOf('v1'), v1.bytes, join(root, 'v1'));
    const v2Dir = await writeModelDir(schemaOf('v2'), v2.bytes, join(root, 'v2'));
    const training = Array.from({ length: 200 }, (_, i) => record(i));
    const compiled = compileSchema(parseSchema(schemaOf('v2')));
    const profile = buildProfile(compiled.schema, training, v2.reference(training), {
      fingerprint: compiled.fingerprint,
    });
    await writeFile(join(v2Dir, 'profile.json'), JSON.stringify(profile));
    await pointAt(root, 'v1');
    const config = loopbackConfig({
      MODEL_DIR: root,
      MODEL_POLL_INTERVAL: '0',
    });
    const service = await startService({ config, logger: memoryLogger().logger, exit: () => {} });
    const base = `http://127.0.0.1:${service.ops?.port}`;
    try {
      const predictSome = async (n: number) => {
        for (let i = 0; i < n; i += 1) {
          await post(service.port, '/predict', JSON.stringify(record(i)), false);
        }
      };
      await predictSome(3);
      expect(await (await fetch(`${base}/monitoring`)).text()).toMatch(/No profile\.json/);
      expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(
        /modelship_feature_drift_psi/,
      );

      await pointAt(root, 'v2');
      const switched = await post(service.ops?.port ?? 0, '/admin/reload', '', false);
      expect(JSON.parse(switched.body)).toMatchObject({ outcome: 'switched', version: 'v2' });
      await predictSome(5);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^modelship_monitor_window_records 5$/m);
      expect(metrics).toMatch(/modelship_feature_drift_psi\{feature="age"\}/);
      const page = await (await fetch(`${base}/monitoring`)).text();
      expect(page).toMatch(/v2: what the model sees/);

      await pointAt(root, 'v1');
      await post(service.ops?.port ?? 0, '/admin/reload', '', false);
      expect(await (await fetch(`${base}/monitoring`)).text()).toMatch(/No profile\.json/);
    } finally {
      await service.shutdown.begin('test done');
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('payload lines across a reload', { timeout: 60_000 }, () => {
  it('name the version that answered, not the one the service started with', async () => {
    const root = await mkdtemp(join(tmpdir(), 'modelship-versions-'));
    await writeModelDir(schemaOf('v1'), linearModel(schemaOf('v1')).bytes, join(root, 'v1'));
    const v2 = linearModel(schemaOf('v2'), { bias: 50 });
    await writeModelDir(schemaOf('v2'), v2.bytes, join(root, 'v2'));
    await pointAt(root, 'v1');
    const config = loopbackConfig({
      MODEL_DIR: root,
      MODEL_POLL_INTERVAL: '0',
      PAYLOAD_LOG_SAMPLE: '1',
    });
    const { logger, lines } = memoryLogger();
    const service = await startService({ config, logger, exit: () => {} });
    try {
      await post(service.port, '/predict', JSON.stringify(record(1)), false);
      await pointAt(root, 'v2');
      await post(service.ops?.port ?? 0, '/admin/reload', '', false);
      await post(service.port, '/predict', JSON.stringify(record(2)), false);
      await post(service.port, oipPath, JSON.stringify(oipBody(record(3))), false);
      logger.flush();
      const payload = lines.filter((l) => l.kind === PAYLOAD_LINE_KIND);
      expect(payload.map((l) => (l.model as { version: string }).version)).toEqual([
        'v1',
        'v2',
        'v2',
      ]);
    } finally {
      await service.shutdown.begin('test done');
      await rm(root, { recursive: true, force: true });
    }
  });
});
