/**
 * Scenario 4: pod termination as the kubelet runs it, under load, behind both kinds of load
 * balancer the charts configure:
 * - a proxy load balancer (GKE Ingress): it stops sending to the pod after a lag, so the
 *   clients' requests stop reaching the pod then;
 * - a passthrough Network Load Balancer (the LoadBalancer Service): established client
 *   connections stay pinned to the terminating pod (conntrack); only new connections go
 *   elsewhere after the lag. Keep-alive clients never stop on their own: a refused new
 *   connection counts as rerouted to another pod, a 5xx or a request lost on an open
 *   connection counts as dropped.
 * And the same for a scale-in and a rollout, with two pods behind one Service.
 * No request may be dropped, and every container must exit on its own within the grace period.
 * The clients come from several addresses at a steady pace, as a load balancer's clients do: with
 * `externalTrafficPolicy: Local` (the gke chart) the Service stand-in passes each client's
 * address to nginx, which limits each address, so one address at full speed would be refused.
 * The scenarios run at once: each waits through the chart's termination (about 43 s with Local).
 */
import { existsSync } from 'node:fs';
import { readNginxConfOptions } from '@modelship/k8s';
import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESSES, CLIENT_RATE, CLIENTS, loadBalancerClients } from '../load/clients.ts';
import { type LoadGenerator, startLoad } from '../load/load-generator.ts';
import { containerEnv, containerNamed } from '../manifest/workload.ts';
import type { LocalPod, TerminateOptions } from '../pod/local-pod.ts';
import { clientAddressOf, startServiceProxy } from '../pod/service-proxy.ts';
import type { TerminationReport } from '../pod/termination.ts';
import { hasNginx, startReadyPod } from '../testing/pods.ts';
import { podProcesses, stillRunning } from '../testing/processes.ts';
import { validRecord } from '../testing/records.ts';

/**
 * How long after the pod is deleted new connections still reach it. Kubernetes marks the pod's
 * endpoint terminating at the moment the kubelet starts the termination; kube-proxy and the
 * load balancers act on that within seconds. Modelled here as 3 s, inside the chart's budget
 * (`termination.loadBalancerLagSeconds`, nginx's preStop), which the tests check.
 */
const LOAD_BALANCER_LAG_MS = 3000;
/** The chart's grace period (67 s with Local) and the pods' start, on a busy machine. */
const TIMEOUT_MS = 150_000;

const STOP_SIGNALS: [string, TerminateOptions][] = [
  ['with the images’ stop signals (nginx: SIGQUIT)', {}],
  ['with SIGTERM to both containers', { stopSignals: { nginx: 'SIGTERM', inference: 'SIGTERM' } }],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function predictLoad(baseUrl: string): LoadGenerator {
  return startLoad({
    baseUrl,
    path: '/predict',
    request: {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(validRecord),
    },
    ...loadBalancerClients,
  });
}

/**
 * A ready pod of the chart; up to eight pods start at once here (on two cores), so each may take
 * longer than the usual 30 s to become ready.
 */
const startPod = () => startReadyPod({}, 3, 90_000);

/** The clients stay within the shipped per-address limits, as the clients of a real pod would. */
function expectWithinLimits(pod: LocalPod): void {
  const conf = pod.containers.get('nginx')?.conf?.text ?? '';
  const { rateLimit, connectionLimit } = readNginxConfOptions(conf);
  expect(CLIENT_RATE).toBeLessThan(rateLimit?.requestsPerSecond ?? Infinity);
  expect(CLIENTS / CLIENT_ADDRESSES.length).toBeLessThan(connectionLimit?.perAddress ?? Infinity);
}

/** Whether the service stays ready through its delay (`SHUTDOWN_READINESS=keep`, with Local). */
function keepsReady(pod: LocalPod): boolean {
  return containerEnv(containerNamed(pod.workload.pod, 'inference')).SHUTDOWN_READINESS === 'keep';
}

/** The chart's budget for the load balancers' lag: nginx's preStop sleep, in ms. */
function lagBudgetMs(pod: LocalPod): number {
  const hook = pod.containers.get('nginx')?.spec.lifecycle?.preStop?.exec?.command ?? [];
  return Number(hook.at(-1)) * 1000;
}

/** Both containers exited on their own, in order, within the grace period. */
function expectOrderlyExit(termination: TerminationReport): void {
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
  // The service outlives nginx, so no request nginx accepted finds the service gone (a 502).
  expect(service?.exitedAtMs).toBeGreaterThanOrEqual(nginx?.exitedAtMs ?? Infinity);
}

const waitFor = async (done: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
};

describe.skipIf(!hasNginx())('pod termination under load', () => {
  it.concurrent.each(STOP_SIGNALS)(
    'behind a proxy load balancer: drops no request and exits within the grace period, %s',
    async (_name, options) => {
      const pod = await startPod();
      try {
        await pod.waitUntilReady();
        expect(LOAD_BALANCER_LAG_MS).toBeLessThan(lagBudgetMs(pod));
        expectWithinLimits(pod);
        // Every process of the pod, nginx's workers included.
        const running = podProcesses(pod);
        expect(running.filter((seen) => seen.command.startsWith('nginx: worker'))).not.toEqual([]);
        const load = predictLoad(pod.url);
        await waitFor(() => load.completed >= 20, 10_000);

        const terminating = pod.terminate(options);
        const startedAt = Date.now();
        await sleep(500);
        const draining = await pod.probe('inference', 'readinessProbe');
        const serviceLive = await pod.probe('inference', 'livenessProbe');
        const nginxLive = await pod.probe('nginx', 'livenessProbe');
        await sleep(LOAD_BALANCER_LAG_MS - (Date.now() - startedAt));
        const report = await load.stop();
        const termination = await terminating;

        expect(report.failed.length, JSON.stringify(report.failed.slice(0, 3))).toBe(0);
        expect(report.ok).toBeGreaterThan(20);
        // The load really overlapped the termination.
        const during = report.results.filter((result) => result.startedAt >= startedAt);
        expect(during.length).toBeGreaterThan(0);
        // Draining: the service serves and is alive; it turns unready at once (leaving every
        // endpoint list), except where the chart keeps it ready through its delay (Local:
        // kube-proxy passes a node's new connections to a terminating pod only while ready).
        expect(draining).toMatchObject(
          keepsReady(pod) ? { success: true, status: 200 } : { success: false, status: 503 },
        );
        expect(serviceLive.success).toBe(true);
        expect(nginxLive.success).toBe(true);
        expectOrderlyExit(termination);
        // Nothing of the pod outlives its termination, nor its folder the teardown.
        expect(stillRunning(running)).toEqual([]);
        await pod.stop();
        expect(existsSync(pod.dir)).toBe(false);
      } finally {
        await pod.stop();
      }
    },
    TIMEOUT_MS,
  );

  it.concurrent.each(STOP_SIGNALS)(
    'behind a passthrough load balancer: every pinned client is moved off, none dropped, %s',
    async (_name, options) => {
      const pod = await startPod();
      try {
        await pod.waitUntilReady();
        expect(LOAD_BALANCER_LAG_MS).toBeLessThan(lagBudgetMs(pod));
        expectWithinLimits(pod);
        const load = predictLoad(pod.url);
        await waitFor(() => load.completed >= 20, 10_000);
        const connectionsBefore = pod.service.connections;

        const terminating = pod.terminate(options);
        const startedAt = Date.now();
        await sleep(LOAD_BALANCER_LAG_MS);
        // The load balancer and kube-proxy have caught up: new connections go elsewhere,
        // established ones stay pinned to this pod.
        load.reroute();
        const termination = await terminating;
        const report = await load.stop();

        expect(report.failed.length, JSON.stringify(report.failed.slice(0, 3))).toBe(0);
        // Clients were served on this pod after the termination began...
        const served = report.results.filter((r) => r.ok && r.startedAt >= startedAt);
        expect(served.length).toBeGreaterThan(CLIENTS);
        // ...on new connections too (nginx closed theirs with Connection: close)...
        expect(pod.service.connections).toBeGreaterThan(connectionsBefore);
        // ...and every client left for another pod before nginx stopped: asked to reconnect,
        // never cut off.
        expect(report.rerouted).toBe(CLIENTS);
        const nginx = termination.containers.find((c) => c.name === 'nginx');
        const lastRerouted = Math.max(
          ...report.results.filter((r) => r.rerouted).map((r) => r.endedAt - startedAt),
        );
        expect(lastRerouted).toBeLessThan(nginx?.signalledAtMs ?? -1);
        expectOrderlyExit(termination);
      } finally {
        await pod.stop();
      }
    },
    TIMEOUT_MS,
  );

  // In the same suite, so that they run at once with the others (suites run one after another).
  it.concurrent.each([
    ['a scale-in (two pods, one removed)', 'scale-in'],
    ['a rollout (a new pod surges, then the old one goes)', 'rollout'],
  ] as const)(
    'replacing a pod behind a passthrough Service, %s, drops no request',
    async (_name, kind) => {
      const pods: LocalPod[] = [];
      try {
        const old = await startPod();
        pods.push(old);
        await old.waitUntilReady();
        let next: LocalPod | undefined;
        if (kind === 'scale-in') {
          next = await startPod();
          pods.push(next);
          await next.waitUntilReady();
        }
        expectWithinLimits(old);
        const service = await startServiceProxy(
          pods.map((pod) => pod.endpointPort),
          { clientAddress: clientAddressOf(old.workload.service) },
        );
        try {
          const load = predictLoad(`http://127.0.0.1:${service.port}`);
          await waitFor(() => load.completed >= 20, 10_000);
          if (!next) {
            // maxSurge: the new pod joins the Service once ready, before the old one goes.
            next = await startPod();
            pods.push(next);
            await next.waitUntilReady();
            service.setEndpoints([old.endpointPort, next.endpointPort]);
          }
          const terminating = old.terminate();
          const startedAt = Date.now();
          await sleep(LOAD_BALANCER_LAG_MS);
          service.setEndpoints([next.endpointPort]);
          const termination = await terminating;
          const endedAt = Date.now();
          // The remaining pod carries the load on its own for a while.
          await sleep(500);
          const report = await load.stop();

          expect(report.failed.length, JSON.stringify(report.failed.slice(0, 3))).toBe(0);
          expect(report.results.filter((r) => r.startedAt >= startedAt).length).toBeGreaterThan(0);
          expect(report.results.filter((r) => r.startedAt >= endedAt).length).toBeGreaterThan(0);
          expect(service.connectionsTo.get(next.endpointPort) ?? 0).toBeGreaterThan(0);
          expectOrderlyExit(termination);
        } finally {
          await service.close();
        }
      } finally {
        await Promise.all(pods.map((pod) => pod.stop()));
      }
    },
    TIMEOUT_MS,
  );
});
