/**
 * Scenario 3: a corpus of malformed, hostile and oversized requests through the Service port.
 * Each must get a 4xx with a JSON error body, whether nginx or the service answers it, and
 * the pod must keep serving: both containers alive, a valid request still predicted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequests } from '../corpus/bad-requests.ts';
import { jsonOf, postJson, send } from '../http/send.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { hasNginx, startReadyPod } from '../testing/pods.ts';
import { validRecord } from '../testing/records.ts';

describe.skipIf(!hasNginx())('bad input through nginx', () => {
  let pod: LocalPod;
  beforeAll(async () => {
    pod = await startReadyPod();
    await pod.waitUntilReady();
  });
  afterAll(() => pod?.stop());

  it('has a corpus of at least 50 distinct cases', () => {
    expect(badRequests.length).toBeGreaterThanOrEqual(50);
    expect(new Set(badRequests.map((bad) => bad.name)).size).toBe(badRequests.length);
  });

  it.each(badRequests.map((bad) => [bad.name, bad] as const))(
    '%s → JSON 4xx',
    async (_name, bad) => {
      const reply = await send(pod.url, bad.path, {
        method: bad.method,
        headers: bad.headers,
        body: bad.body(),
      });
      const summary = { status: reply.status, type: reply.headers['content-type'] };
      expect(summary.status, reply.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(summary.status, reply.text.slice(0, 300)).toBeLessThan(500);
      expect(summary.type, reply.text.slice(0, 300)).toMatch(/^application\/json/);
      // The service's errors are {error: {code, message, details}}; the Open Inference
      // Protocol's are {error: "message"}, as its specification says.
      const body = jsonOf(reply) as { error?: unknown } | undefined;
      if (typeof body?.error === 'string') expect(body.error.length).toBeGreaterThan(0);
      else
        expect(body).toMatchObject({
          error: { code: expect.any(String), message: expect.any(String) },
        });
    },
  );

  it('keeps serving after the whole corpus', async () => {
    for (const container of pod.containers.values()) {
      expect({ name: container.spec.name, exit: container.process.exit }).toEqual({
        name: container.spec.name,
        exit: undefined,
      });
    }
    const reply = await postJson(pod.url, '/predict', validRecord);
    expect(reply.status).toBe(200);
    expect(typeof (jsonOf(reply) as { prediction: unknown }).prediction).toBe('number');
    expect((await pod.probe('inference', 'readinessProbe')).success).toBe(true);
  });
});
