/**
 * Scenario 5: the service container dies (SIGKILL, as on an OOM kill). nginx must answer at
 * once with its JSON 502/503 instead of hanging, the readiness probe must fail (so the pod
 * leaves the Service), nginx itself stays live, and a restarted service is ready again.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerValues, jsonOf, postJson, send } from '../http/send.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { hasNginx, startReadyPod } from '../testing/pods.ts';
import { podProcesses, type SeenProcess, stillRunning } from '../testing/processes.ts';
import { validRecord } from '../testing/records.ts';

/**
 * Well below nginx's proxy_connect_timeout (5 s) and the probes' timeoutSeconds: a hang shows
 * up as a rejected request, not as a slow success.
 */
const ANSWER_WITHIN_MS = 4000;

describe.skipIf(!hasNginx())('when the service is killed', () => {
  let pod: LocalPod;
  /** Every process the pod ran (before the kill, and after the restart). */
  const seen: SeenProcess[] = [];
  let killedGroup = -1;

  beforeAll(async () => {
    pod = await startReadyPod();
    await pod.waitUntilReady();
    expect((await postJson(pod.url, '/predict', validRecord)).status).toBe(200);
    seen.push(...podProcesses(pod));
    const service = pod.containers.get('inference')?.process;
    killedGroup = service?.pid ?? -1;
    service?.signal('SIGKILL');
    expect((await service?.exited)?.signal).toBe('SIGKILL');
  });
  afterAll(async () => {
    await pod?.stop();
    // The teardown leaves nothing behind: no process of the pod, no folder.
    expect(stillRunning(seen)).toEqual([]);
    if (pod) expect(existsSync(pod.dir)).toBe(false);
  });

  it('leaves no process of the killed container running', () => {
    const killed = seen.filter((process) => process.pgid === killedGroup);
    expect(killed).not.toEqual([]);
    expect(stillRunning(killed)).toEqual([]);
  });

  it.each(['/predict', '/predict_api'])(
    'nginx answers POST %s at once with a JSON 502/503',
    async (path) => {
      const reply = await postJson(pod.url, path, validRecord, { timeoutMs: ANSWER_WITHIN_MS });
      expect([502, 503]).toContain(reply.status);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(jsonOf(reply)).toMatchObject({ error: { code: expect.any(String) } });
      expect(headerValues(reply, 'x-request-id')[0]).toMatch(/^[0-9a-f]{32}$/);
    },
  );

  it('fails the readiness probe (JSON 502 from nginx) and the service liveness probe', async () => {
    const readiness = await pod.probe('inference', 'readinessProbe');
    expect(readiness.success).toBe(false);
    expect([502, 503]).toContain(readiness.status);
    expect((await pod.probe('inference', 'livenessProbe')).success).toBe(false);
    const readyz = await send(pod.url, '/readyz', { timeoutMs: ANSWER_WITHIN_MS });
    expect(jsonOf(readyz)).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('keeps nginx live and ready (only the service container is restarted)', async () => {
    expect((await pod.probe('nginx', 'livenessProbe')).success).toBe(true);
    expect((await pod.probe('nginx', 'readinessProbe')).success).toBe(true);
  });

  it('is ready and serving again once the kubelet restarts the service', async () => {
    await pod.restart('inference');
    await pod.waitUntilReady();
    seen.push(...podProcesses(pod).filter((process) => process.pgid !== killedGroup));
    expect((await postJson(pod.url, '/predict', validRecord)).status).toBe(200);
  });
});
