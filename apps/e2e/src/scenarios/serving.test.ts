/**
 * Scenarios 1 and 2 of the local pod: the probes declared in the manifest, readiness during
 * model loading, the prediction routes through nginx, request ids and the JSON access log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValues, jsonOf, postJson, send } from '../http/send.ts';
import { resolvePort } from '../manifest/workload.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { KUBE_PROBE_USER_AGENT, type ProbeKind, type ProbeResult } from '../pod/probe.ts';
import { jsonLines } from '../testing/logs.ts';
import { hasNginx, startConfiguredPod } from '../testing/pods.ts';
import { bundledSchema, OIP_INFER_PATH, oipRequest, validRecord } from '../testing/records.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasNginx())('the synthesized pod, run locally', () => {
  let pod: LocalPod;
  /** The service container's readiness probe, run every 25 ms from the pod's start. */
  const startupReadiness: ProbeResult[] = [];
  let modelLoadedAt = Number.NaN;
  const serviceLog = async () =>
    jsonLines(await (pod.containers.get('inference')?.process.stdout() ?? Promise.resolve('')));
  const accessLog = async () =>
    jsonLines(await (pod.containers.get('nginx')?.process.stdout() ?? Promise.resolve('')));

  beforeAll(async () => {
    pod = await startConfiguredPod();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const result = await pod.probe('inference', 'readinessProbe');
      startupReadiness.push(result);
      if (result.success) break;
      await sleep(25);
    }
    const loaded = (await serviceLog()).find((line) =>
      String(line.message).startsWith('model loaded'),
    );
    modelLoadedAt = Date.parse(String(loaded?.time));
    await pod.waitUntilReady();
  });
  afterAll(() => pod?.stop());

  it('runs the ConfigMap nginx.conf changed only where the pod environment decides', () => {
    const nginx = pod.containers.get('nginx');
    const changes = nginx?.conf?.changes ?? [];
    expect(changes.length).toBeGreaterThan(0);
    const podPorts = (nginx?.spec.ports ?? []).map((port) => pod.ports.local(port.containerPort));
    // The Service's targets (http, and https with TLS) and the metrics port.
    expect(podPorts.length).toBeGreaterThanOrEqual(2);
    for (const change of changes) {
      const pathMapped = nginx?.paths.mounts.some((mount) => change.after.includes(mount.hostPath));
      const listenMapped = podPorts.some((port) =>
        new RegExp(`^\\s*listen 127\\.0\\.0\\.1:${port}[\\s;]`).test(change.after),
      );
      // The service's pool and its operational listener.
      const upstreamMapped = /(?:server |proxy_pass http:\/\/)127\.0\.0\.1:\d+;/.test(change.after);
      // The header line that records the options the configuration was rendered from.
      const optionsLine = change.after.startsWith('# Options: ');
      const mapped = pathMapped || listenMapped || upstreamMapped || optionsLine;
      expect({ change, mapped }).toEqual({
        change,
        mapped: true,
      });
    }
  });

  it('is not ready until the model is loaded, then ready', () => {
    const failures = startupReadiness.filter((result) => !result.success);
    const firstSuccess = startupReadiness.find((result) => result.success);
    expect(failures.length).toBeGreaterThan(0);
    expect(Number.isNaN(modelLoadedAt)).toBe(false);
    expect(firstSuccess?.at).toBeGreaterThanOrEqual(modelLoadedAt);
    // Once nginx answered, "not ready" was its JSON 502 (the service did not listen yet).
    for (const failure of failures.filter((result) => result.status !== undefined)) {
      expect(failure.status).toBe(502);
      expect(JSON.parse(failure.body ?? '')).toMatchObject({ error: { code: 'bad_gateway' } });
    }
  });

  const declared = () =>
    pod.workload.pod.containers.flatMap((container) =>
      (['livenessProbe', 'readinessProbe', 'startupProbe'] as ProbeKind[])
        .filter((kind) => container[kind] !== undefined)
        .map((kind) => ({ container: container.name, kind, probe: container[kind] })),
    );

  it('passes every probe the manifest declares, on its declared port and path', async () => {
    const probes = declared();
    expect(probes.map(({ container, kind }) => `${container}.${kind}`)).toEqual(
      expect.arrayContaining(['nginx.livenessProbe', 'inference.readinessProbe']),
    );
    for (const { container, kind, probe } of probes) {
      const result = await pod.probe(container, kind);
      expect({ container, kind, result }).toMatchObject({ result: { success: true } });
      if (probe?.httpGet) {
        // Every HTTP probe goes through nginx's port (the Service's target), as in the pod,
        // except the service's liveness, which reaches the service on its own probe port.
        const port = resolvePort(pod.workload.pod.containers, probe.httpGet.port);
        const direct = container === 'inference' && kind === 'livenessProbe';
        expect(port.containerPort === pod.workload.route.containerPort).toBe(!direct);
        expect(result.status).toBeGreaterThanOrEqual(200);
        expect(result.status).toBeLessThan(400);
      }
    }
  });

  it('answers readiness and liveness with the service lifecycle', async () => {
    const ready = await send(pod.url, '/readyz');
    expect(ready.status).toBe(200);
    expect(jsonOf(ready)).toMatchObject({ status: 'ready' });
    const live = await send(pod.url, '/healthz');
    expect(live.status).toBe(200);
  });

  it('writes the access log as one JSON object per line', async () => {
    await send(pod.url, '/healthz');
    await sleep(200);
    const lines = await accessLog();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        time: expect.any(String),
        request_id: expect.stringMatching(/.+/),
        method: expect.any(String),
        uri: expect.any(String),
        status: expect.any(Number),
        request_time: expect.any(Number),
        upstream_status: expect.any(String),
      });
    }
  });

  it('leaves kube-probe requests out of the access log', async () => {
    await pod.probe('inference', 'livenessProbe');
    await sleep(200);
    const agents = (await accessLog()).map((line) => String(line.user_agent));
    expect(agents.length).toBeGreaterThan(0);
    expect(agents).not.toContain(KUBE_PROBE_USER_AGENT);
  });

  it('serves metrics on the metrics port only, never through the Service port', async () => {
    await postJson(pod.url, '/predict', validRecord);
    const publicReply = await send(pod.url, '/metrics');
    expect(publicReply.status).toBe(404);
    expect(jsonOf(publicReply)).toMatchObject({ error: { code: 'not_found' } });
    const metricsPort = resolvePort(pod.workload.pod.containers, 'metrics');
    expect(metricsPort).toEqual({ container: 'nginx', containerPort: 9090 });
    const scrape = await send(
      `http://127.0.0.1:${pod.ports.local(metricsPort.containerPort)}`,
      '/metrics',
    );
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    expect(scrape.text).toMatch(/^http_requests_total\{[^}]*route="\/predict"[^}]*\} [1-9]/m);
    expect(scrape.text).toMatch(/^inference_model_info\{/m);
  });

  it('predicts one record through the Service port', async () => {
    const reply = await postJson(pod.url, '/predict', validRecord);
    expect(reply.status).toBe(200);
    const body = jsonOf(reply) as { prediction: number; model: { name: string } };
    expect(typeof body.prediction).toBe('number');
    expect(Number.isFinite(body.prediction)).toBe(true);
    expect(body.model.name).toBe(bundledSchema.model.name);
  });

  it('predicts a batch in input order', async () => {
    const instances = [validRecord, { ...validRecord, smoker: 'yes' }, validRecord];
    const reply = await postJson(pod.url, '/predict', { instances });
    expect(reply.status).toBe(200);
    const { predictions } = jsonOf(reply) as { predictions: number[] };
    expect(predictions).toHaveLength(3);
    expect(predictions[0]).toBe(predictions[2]);
    expect(predictions[1]).not.toBe(predictions[0]);
  });

  it('answers /predict_api with the bare number, equal to /predict', async () => {
    const api = await postJson(pod.url, '/predict_api', validRecord);
    const predict = await postJson(pod.url, '/predict', validRecord);
    expect(api.status).toBe(200);
    expect(jsonOf(api)).toBe((jsonOf(predict) as { prediction: number }).prediction);
  });

  it('answers the Open Inference Protocol infer route like /predict', async () => {
    const other = { ...validRecord, smoker: 'yes' };
    const reply = await postJson(pod.url, OIP_INFER_PATH, oipRequest([validRecord, other]));
    expect(reply.status, reply.text).toBe(200);
    const body = jsonOf(reply) as {
      model_name: string;
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    expect(body.model_name).toBe(bundledSchema.model.name);
    const [output] = body.outputs;
    expect(output?.shape[0]).toBe(2);
    const batch = await postJson(pod.url, '/predict', { instances: [validRecord, other] });
    expect(output?.data).toEqual((jsonOf(batch) as { predictions: number[] }).predictions);
    const metadata = await send(pod.url, `/v2/models/${bundledSchema.model.name}`);
    expect(metadata.status).toBe(200);
    const ready = await send(pod.url, `/v2/models/${bundledSchema.model.name}/ready`);
    expect(jsonOf(ready)).toMatchObject({ ready: true });
  });

  it('returns one X-Request-Id per response, minted or the caller’s, and logs it as JSON', async () => {
    const minted = await postJson(pod.url, '/predict', validRecord);
    const [mintedId] = headerValues(minted, 'x-request-id');
    expect(mintedId).toMatch(/^[0-9a-f]{32}$/);
    const own = await postJson(pod.url, '/predict', validRecord, {
      headers: { 'x-request-id': 'e2e-caller-id-1' },
    });
    expect(headerValues(own, 'x-request-id')).toEqual(['e2e-caller-id-1']);
    expect(headerValues(minted, 'x-request-id')).toEqual([mintedId]);

    // An id the service would not accept (spaces, markup) is replaced, not passed on.
    const hostile = await postJson(pod.url, '/predict', validRecord, {
      headers: { 'x-request-id': 'not <an> id' },
    });
    expect(headerValues(hostile, 'x-request-id')).toEqual([
      expect.stringMatching(/^[0-9a-f]{32}$/),
    ]);

    await sleep(200);
    const lines = await accessLog();
    const byId = (id: string | undefined) => lines.find((line) => line.request_id === id);
    expect(byId(mintedId)).toMatchObject({ method: 'POST', uri: '/predict', status: 200 });
    expect(byId('e2e-caller-id-1')).toMatchObject({ status: 200, upstream_status: '200' });
    // The service logs the same id, so one request can be followed through both containers.
    expect((await serviceLog()).some((line) => line.requestId === 'e2e-caller-id-1')).toBe(true);
  });

  it('links the service’s log line to the caller’s trace, in the manifest’s project', async () => {
    const project = pod.workload.pod.containers
      .find((container) => container.name === 'inference')
      ?.env?.find((variable) => variable.name === 'GOOGLE_CLOUD_PROJECT')?.value;
    expect(project).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    const trace = '0af7651916cd43dd8448eb211c80319c';
    const reply = await postJson(pod.url, '/predict', validRecord, {
      headers: { traceparent: `00-${trace}-b7ad6b7169203331-01`, 'x-request-id': 'e2e-traced-1' },
    });
    expect(reply.status).toBe(200);
    await sleep(200);
    const line = (await serviceLog()).find((entry) => entry.requestId === 'e2e-traced-1');
    expect(line).toMatchObject({
      traceId: trace,
      'logging.googleapis.com/trace': `projects/${project}/traces/${trace}`,
      'logging.googleapis.com/spanId': 'b7ad6b7169203331',
      'logging.googleapis.com/trace_sampled': true,
    });
  });
});
