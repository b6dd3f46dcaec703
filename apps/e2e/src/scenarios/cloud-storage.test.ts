/**
 * The model from Cloud Storage in the local pod: the chart synthesized with a `gcs` model
 * source mounts the bucket's prefix read-only through GKE's FUSE CSI driver; here a read-only
 * local folder with the same layout stands in for that mount (the driver itself needs GKE).
 * The service finds MODEL_DIR at the mount, serves the version `current` names through nginx,
 * and follows a new `current`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@modelship/charts';
import { insuranceModelDir } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValues, jsonOf, postJson } from '../http/send.ts';
import { loadManifest } from '../manifest/load-manifest.ts';
import { nginxStandIn, nodeServiceStandIn } from '../pod/images.ts';
import { type LocalPod, startLocalPod } from '../pod/local-pod.ts';
import { e2eConfig, hasNginx } from '../testing/pods.ts';
import { validRecord } from '../testing/records.ts';

describe.skipIf(!hasNginx())('a Cloud Storage model source in the local pod', () => {
  let pod: LocalPod;
  let work: string;
  let bucket: string;
  const schema = JSON.parse(readFileSync(join(insuranceModelDir, 'schema.json'), 'utf8'));
  const next = { ...schema, model: { ...schema.model, version: '1.1.0' } };
  const readOnly = (mode: 'a-w' | 'u+w') => execFileSync('chmod', ['-R', mode, bucket]);
  const predict = async () => {
    const reply = await postJson(pod.url, '/predict', validRecord);
    expect(reply.status).toBe(200);
    const body = jsonOf(reply) as { model: { version: string } };
    expect(headerValues(reply, 'x-model-version')).toEqual([body.model.version]);
    return body.model.version;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'modelship-e2e-gcs-'));
    // The bucket's prefix as the driver would show it: version folders and `current`.
    bucket = join(work, 'bucket');
    await cp(insuranceModelDir, join(bucket, schema.model.version), { recursive: true });
    await writeModelDir(next, linearModel(next).bytes, join(bucket, '1.1.0'));
    await writeFile(join(bucket, 'current'), `${schema.model.version}\n`);
    readOnly('a-w');
    const dist = join(work, 'dist');
    buildApp(
      {
        charts: ['local'],
        image: undefined,
        googleCloudProject: undefined,
        namespace: undefined,
        modelSource: { source: 'gcs', bucket: 'acme-models', prefix: 'models/insurance' },
      },
      { outdir: dist },
    ).synth();
    pod = await startLocalPod({
      manifest: await loadManifest({ dir: dist }),
      images: [nginxStandIn({ binary: e2eConfig.nginxPath }), nodeServiceStandIn()],
      csiVolumes: { model: bucket },
      keepDir: e2eConfig.keepPodDirs,
    });
    await pod.waitUntilReady();
  });
  afterAll(async () => {
    await pod?.stop();
    if (bucket) readOnly('u+w');
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('mounts the bucket read-only at MODEL_DIR and serves the version current names', async () => {
    const inference = pod.containers.get('inference');
    const mount = inference?.spec.volumeMounts?.find((m) => m.name === 'model');
    expect(mount).toMatchObject({ mountPath: '/models', readOnly: true });
    expect(inference?.paths.mapPath('/models')).toBe(bucket);
    expect(await predict()).toBe(schema.model.version);
  });

  it('follows a new current (written as the bucket would, whole)', async () => {
    readOnly('u+w');
    await writeFile(join(bucket, 'current'), '1.1.0\n');
    readOnly('a-w');
    await expect.poll(predict, { timeout: 20_000, interval: 200 }).toBe('1.1.0');
  });
});
