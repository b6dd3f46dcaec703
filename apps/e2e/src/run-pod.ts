// `pnpm --filter @modelship/e2e pod`: runs the synthesized pod locally until Ctrl-C, printing
// where each port landed, for poking at it with curl or a browser.
import { startConfiguredPod } from './testing/pods.ts';

const pod = await startConfiguredPod({ keepDir: true });
await pod.waitUntilReady();
console.log(`pod is ready; its folder: ${pod.dir}`);
for (const [podPort, hostPort] of pod.ports.entries) {
  console.log(`  pod port ${podPort} -> 127.0.0.1:${hostPort}`);
}
console.log(`  Service port ${pod.workload.route.servicePort} -> ${pod.url}`);
const shutdown = async () => {
  console.log('terminating as the kubelet would ...');
  const report = await pod.terminate();
  console.log(JSON.stringify(report, null, 2));
  await pod.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
