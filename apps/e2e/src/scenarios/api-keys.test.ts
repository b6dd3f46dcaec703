/**
 * API keys in the local pod: the chart synthesized with a key Secret (`API_KEYS_SECRET`) mounts
 * it into the inference container and names the file in API_KEYS_FILE; here the Secret's data
 * is a key file written as `modelship apikey create` prints its line. Through nginx, a
 * prediction without a key is 401 in the error contract and one with the key is 200; a new key
 * swapped into the mounted Secret (as kubelet swaps it) is accepted without a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@modelship/charts';
import { API_KEY_PREFIX, apiKeyLine, hashApiKey } from '@modelship/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValues, jsonOf, postJson } from '../http/send.ts';
import { loadManifest } from '../manifest/load-manifest.ts';
import { nginxStandIn, nodeServiceStandIn } from '../pod/images.ts';
import { type LocalPod, startLocalPod } from '../pod/local-pod.ts';
import { e2eConfig, hasNginx } from '../testing/pods.ts';
import { validRecord } from '../testing/records.ts';

const newKey = () => `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
const line = (name: string, key: string) => apiKeyLine({ name, sha256: hashApiKey(key) });

describe.skipIf(!hasNginx())('API keys in the local pod', () => {
  let pod: LocalPod;
  let work: string;
  const key = newKey();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'modelship-e2e-keys-'));
    const dist = join(work, 'dist');
    buildApp(
      {
        charts: ['local'],
        image: undefined,
        googleCloudProject: undefined,
        namespace: undefined,
        modelSource: undefined,
        apiKeysSecret: 'insurance-api-keys',
      },
      { outdir: dist },
    ).synth();
    pod = await startLocalPod({
      manifest: await loadManifest({ dir: dist }),
      images: [nginxStandIn({ binary: e2eConfig.nginxPath }), nodeServiceStandIn()],
      secrets: { 'insurance-api-keys': { keys: `${line('billing', key)}\n` } },
      keepDir: e2eConfig.keepPodDirs,
    });
    await pod.waitUntilReady();
  });
  afterAll(async () => {
    await pod?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers a prediction without a key 401 in the error contract, through nginx', async () => {
    const reply = await postJson(pod.url, '/predict', validRecord);
    expect(reply.status).toBe(401);
    expect(headerValues(reply, 'www-authenticate')).toHaveLength(1);
    expect(jsonOf(reply)).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await postJson(pod.url, '/predict', validRecord, {
      headers: { authorization: `Bearer ${newKey()}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('answers 200 with the key (Authorization: Bearer or X-API-Key)', async () => {
    const bearer = await postJson(pod.url, '/predict', validRecord, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(bearer.status).toBe(200);
    const header = await postJson(pod.url, '/predict', validRecord, {
      headers: { 'x-api-key': key },
    });
    expect(header.status).toBe(200);
  });

  it('takes a rotated Secret without a restart (old and new key while both are listed)', async () => {
    const next = newKey();
    const folder = pod.containers.get('inference')?.paths.mapPath('/etc/modelship/api-keys');
    expect(folder).toBeDefined();
    // kubelet writes the new data beside the old and swaps it in with a rename.
    const withNext = () =>
      postJson(pod.url, '/predict', validRecord, { headers: { 'x-api-key': next } }).then(
        (reply) => reply.status,
      );
    expect(await withNext()).toBe(401);
    const staged = join(folder ?? '', '.keys.next');
    await writeFile(staged, `${line('billing', key)}\n${line('billing-2', next)}\n`);
    await rename(staged, join(folder ?? '', 'keys'));
    await expect.poll(withNext, { timeout: 20_000, interval: 200 }).toBe(200);
    const old = await postJson(pod.url, '/predict', validRecord, { headers: { 'x-api-key': key } });
    expect(old.status).toBe(200);
  });
});
