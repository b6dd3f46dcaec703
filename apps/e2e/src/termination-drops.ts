// `pnpm --filter @modelship/e2e termination-drops [RUNS]`: counts what a pod's termination does
// to keep-alive clients behind a passthrough load balancer, for the chart in E2E_MANIFEST_DIR
// (default dist/). Eight clients (own addresses, 25 requests a second each: load/clients.ts)
// send /predict through the whole termination; after 3 s new connections go to another pod
// (rerouted), established ones stay pinned.
// Prints one line per run and stop signal: answered, dropped (5xx, errors on an open
// connection) and when the first drop happened. The scenario tests assert 0 dropped; this
// prints the figures, for the chart as it is or for an older one.
import { loadBalancerClients } from './load/clients.ts';
import { startLoad } from './load/load-generator.ts';
import type { TerminateOptions } from './pod/local-pod.ts';
import { startConfiguredPod } from './testing/pods.ts';
import { validRecord } from './testing/records.ts';

const runs = Number(process.argv[2] ?? 1);
const LAG_MS = 3000;
const signals: [string, TerminateOptions][] = [
  ['SIGQUIT', {}],
  ['SIGTERM', { stopSignals: { nginx: 'SIGTERM', inference: 'SIGTERM' } }],
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (let run = 1; run <= runs; run++) {
  for (const [name, options] of signals) {
    const pod = await startConfiguredPod();
    try {
      await pod.waitUntilReady();
      const load = startLoad({
        baseUrl: pod.url,
        path: '/predict',
        request: {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(validRecord),
        },
        ...loadBalancerClients,
      });
      await sleep(500);
      const terminating = pod.terminate(options);
      const startedAt = Date.now();
      await sleep(LAG_MS);
      load.reroute();
      await terminating;
      const report = await load.stop();
      const after = report.results.filter((r) => r.startedAt >= startedAt);
      const fivexx = report.failed.filter((r) => (r.status ?? 0) >= 500).length;
      const errors = report.failed.filter((r) => r.status === undefined).length;
      const first = Math.min(...report.failed.map((r) => r.endedAt - startedAt));
      console.log(
        JSON.stringify({
          run,
          nginxStopSignal: name,
          answeredDuringTermination: after.filter((r) => r.ok).length,
          dropped: report.failed.length,
          dropped5xx: fivexx,
          droppedOnOpenConnection: errors,
          firstDropAtSeconds: Number.isFinite(first) ? Number((first / 1000).toFixed(1)) : null,
          reroutedClients: report.rerouted,
        }),
      );
    } finally {
      await pod.stop();
    }
  }
}
