/**
 * Run by reaper.test.ts as a separate test process (`node --import tsx`): starts the configured
 * pod, waits until it is ready, begins its termination (so nginx's preStop hook is running),
 * prints one JSON line (the pod's folder, every process it started, the reaper) and idles
 * until the test kills it.
 */
import { startConfiguredPod } from '../testing/pods.ts';
import { seeProcess, startedBy } from '../testing/processes.ts';
import { reaperGuard } from './reaper.ts';

const pod = await startConfiguredPod();
await pod.waitUntilReady();
void pod.terminate();
const hookStarted = Date.now();
const reaperPid = reaperGuard.pid ?? -1;
const started = () => startedBy(process.pid, [reaperPid]);
while (
  !started().some((seen) => seen.command.startsWith('sleep')) &&
  Date.now() - hookStarted < 5000
) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
process.stdout.write(
  `${JSON.stringify({ dir: pod.dir, processes: started(), reaper: seeProcess(reaperPid) })}\n`,
);
setInterval(() => {}, 60_000);
