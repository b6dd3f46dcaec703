/**
 * Scenario 4: pod termination as the kubelet runs it, under load. Requests keep coming
 * through the Service stand-in while the preStop hooks run and the stop signals go out; the
 * load stops when a load balancer would have stopped routing to the pod. No request may fail,
 * and both containers must exit on their own before terminationGracePeriodSeconds.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startLoad } from '../load/load-generator.ts';
import type { TerminateOptions } from '../pod/local-pod.ts';
import { hasNginx, startConfiguredPod } from '../testing/pods.ts';
import { podProcesses, stillRunning } from '../testing/processes.ts';
import { validRecord } from '../testing/records.ts';

/**
 * How long after the pod is deleted new requests still reach it. Kubernetes removes the
 * terminating pod from the Service's endpoints at the same moment the kubelet starts the
 * termination; kube-proxy and the load balancer act on that within a few seconds. Modelled
 * here as 3 s of load after the termination begins (the chart's SHUTDOWN_DELAY must cover it).
 */
const LOAD_BALANCER_LAG_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasNginx())('pod termination under load', () => {
  it.concurrent.each<[string, TerminateOptions]>([
    ['with the images’ stop signals (nginx: SIGQUIT)', {}],
    [
      'with SIGTERM to both containers',
      { stopSignals: { nginx: 'SIGTERM', inference: 'SIGTERM' } },
    ],
  ])('drops no request and exits within the grace period, %s', async (_name, options) => {
    const pod = await startConfiguredPod();
    try {
      await pod.waitUntilReady();
      // Every process of the pod, nginx's workers included.
      const running = podProcesses(pod);
      expect(running.filter((seen) => seen.command.startsWith('nginx: worker'))).not.toEqual([]);
      const load = startLoad({
        baseUrl: pod.url,
        path: '/predict',
        request: {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(validRecord),
        },
        concurrency: 4,
      });
      while (load.completed < 20) await sleep(20);

      const terminating = pod.terminate(options);
      const startedAt = Date.now();
      await sleep(500);
      const draining = await pod.probe('inference', 'readinessProbe');
      const nginxLive = await pod.probe('nginx', 'livenessProbe');
      await sleep(LOAD_BALANCER_LAG_MS - (Date.now() - startedAt));
      const report = await load.stop();
      const termination = await terminating;

      expect(report.failed.length, JSON.stringify(report.failed.slice(0, 3))).toBe(0);
      expect(report.ok).toBeGreaterThan(20);
      // The load really overlapped the termination.
      const during = report.results.filter((result) => result.startedAt >= startedAt);
      expect(during.length).toBeGreaterThan(0);
      // Draining: the service is no longer ready (so it leaves every endpoint list) but serves.
      expect(draining).toMatchObject({ success: false, status: 503 });
      expect(nginxLive.success).toBe(true);

      const byName = new Map(termination.containers.map((c) => [c.name, c]));
      const nginx = byName.get('nginx');
      const service = byName.get('inference');
      expect(nginx?.preStop).toMatchObject({ exitCode: 0 });
      expect(nginx?.signalledAtMs).toBeGreaterThanOrEqual(nginx?.preStop?.doneAtMs ?? Infinity);
      expect(service?.preStop).toBeUndefined();
      for (const container of termination.containers) {
        expect({
          name: container.name,
          killed: container.killed,
          code: container.exit.code,
        }).toEqual({ name: container.name, killed: false, code: 0 });
        expect(container.exitedAtMs).toBeLessThan(termination.gracePeriodMs);
      }
      // nginx outlives the service's drain, so no request finds the proxy gone first.
      expect(nginx?.exitedAtMs).toBeGreaterThanOrEqual(service?.exitedAtMs ?? Infinity);
      // Nothing of the pod outlives its termination, nor its folder the teardown.
      expect(stillRunning(running)).toEqual([]);
      await pod.stop();
      expect(existsSync(pod.dir)).toBe(false);
    } finally {
      await pod.stop();
    }
  });
});
