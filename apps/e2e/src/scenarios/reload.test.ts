/**
 * Hot reload in the local pod: the service serves a versioned model source (version folders
 * and a `current` file); renaming `current` and asking for a reload on nginx's metrics port
 * switches versions, every answer naming the version that computed it. The reload route is
 * absent from the Service port, and a broken version is refused while the old one serves.
 */
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValues, jsonOf, postJson, send } from '../http/send.ts';
import { resolvePort } from '../manifest/workload.ts';
import { nginxStandIn, nodeServiceStandIn } from '../pod/images.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { e2eConfig, hasNginx, startConfiguredPod } from '../testing/pods.ts';
import { validRecord } from '../testing/records.ts';

describe.skipIf(!hasNginx())('a versioned model source in the local pod', () => {
  let pod: LocalPod;
  let root: string;
  let metricsUrl: string;
  const schema = JSON.parse(readFileSync(join(insuranceModelDir, 'schema.json'), 'utf8'));
  const next = { ...schema, model: { ...schema.model, version: '1.1.0' } };
  const retrained = linearModel(next, { bias: 1000 });

  const point = async (name: string) => {
    await writeFile(join(root, 'current.tmp'), `${name}\n`);
    await rename(join(root, 'current.tmp'), join(root, 'current'));
  };
  const predict = async () => {
    const reply = await postJson(pod.url, '/predict', validRecord);
    expect(reply.status).toBe(200);
    const body = jsonOf(reply) as { prediction: number; model: { version: string } };
    expect(headerValues(reply, 'x-model-version')).toEqual([body.model.version]);
    return body;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-e2e-versions-'));
    await cp(insuranceModelDir, join(root, schema.model.version), { recursive: true });
    await writeModelDir(next, retrained.bytes, join(root, '1.1.0'));
    await writeModelDir(
      { ...schema, model: { ...schema.model, version: 'broken' } },
      'no onnx here',
      join(root, 'broken'),
    );
    await point(schema.model.version);
    pod = await startConfiguredPod({
      images: [
        nginxStandIn({ binary: e2eConfig.nginxPath }),
        nodeServiceStandIn({ modelDir: root }),
      ],
    });
    await pod.waitUntilReady();
    const metrics = resolvePort(pod.workload.pod.containers, 'metrics');
    metricsUrl = `http://127.0.0.1:${pod.ports.local(metrics.containerPort)}`;
  });
  afterAll(async () => {
    await pod?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('serves the version current names, and keeps the reload route off the Service port', async () => {
    expect((await predict()).model.version).toBe(schema.model.version);
    const reload = await send(pod.url, '/admin/reload', { method: 'POST', body: '' });
    expect(reload.status).toBe(404);
    expect((await send(metricsUrl, '/admin/reload')).status).toBe(403);
  });

  it('switches on a reload through the metrics port; a broken version is refused', async () => {
    await point('1.1.0');
    const reload = await send(metricsUrl, '/admin/reload', { method: 'POST', body: '' });
    expect(reload.status).toBe(200);
    // The service's own poll may have switched first: then the reload finds it unchanged.
    expect(jsonOf(reload)).toMatchObject({ version: '1.1.0', model: { version: '1.1.0' } });
    const after = await predict();
    expect(after.model.version).toBe('1.1.0');
    expect(after.prediction).toBeCloseTo(
      retrained.reference([validRecord as never])[0] as number,
      2,
    );

    await point('broken');
    const refused = await send(metricsUrl, '/admin/reload', { method: 'POST', body: '' });
    expect(refused.status).toBe(409);
    expect(jsonOf(refused)).toMatchObject({ outcome: 'refused', model: { version: '1.1.0' } });
    expect((await predict()).model.version).toBe('1.1.0');
    expect((await send(pod.url, '/readyz')).status).toBe(200);
  });
});
