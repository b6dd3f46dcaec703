// Preloaded into the service by `alloc.ts` (`node --import`): the first SIGUSR2 starts V8's
// sampling heap profiler in this process, keeping objects the GCs collected; the second stops
// it and writes the profile to `$TMPDIR/alloc-<pid>.heapprofile`. Markers go to stderr.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    post('HeapProfiler.startSampling', {
      samplingInterval: 128,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    }).then(() => process.stderr.write('alloc: sampling\n'));
    return;
  }
  sampling = false;
  post('HeapProfiler.stopSampling', {}).then(({ profile }) => {
    writeFileSync(join(tmpdir(), `alloc-${process.pid}.heapprofile`), JSON.stringify(profile));
    process.stderr.write('alloc: written\n');
  });
});
