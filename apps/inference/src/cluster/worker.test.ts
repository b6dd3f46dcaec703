import { describe, expect, it } from 'vitest';
import type { PodLink } from './link.ts';
import type { WorkerAnswer } from './protocol.ts';
import { profiledDeps } from './testing.ts';
import { podReadiness, podReload } from './worker.ts';

/** A link whose gathers answer `answers` and whose pod status is `ready`. */
function fakeLink(answers: WorkerAnswer[], ready = true): PodLink {
  return {
    worker: 1,
    workers: 2,
    pod: { ready, state: ready ? 'ready' : 'starting', readyWorkers: ready ? 2 : 1, workers: 2 },
    gather: async () => answers,
    report: () => {},
    serve: () => {},
  };
}

const model = { name: 'm', version: 'v2', fingerprint: 'f' };
const switched = (worker: number): WorkerAnswer => ({
  worker,
  pid: 100 + worker,
  payload: {
    outcome: 'switched',
    from: { name: 'm', version: 'v1' },
    to: { name: 'm', version: 'v2' },
    version: 'v2',
    model,
  },
});
const unchanged = (worker: number): WorkerAnswer => ({
  worker,
  pid: 100 + worker,
  payload: { outcome: 'unchanged', version: 'v2', model },
});

describe("the pod's answer to POST /admin/reload", () => {
  const deps = profiledDeps();

  it('is switched when a worker switched and the others already serve the version', async () => {
    const pod = await podReload(fakeLink([switched(1), unchanged(2)]), deps);
    expect(pod.status).toBe(200);
    expect(pod.body).toMatchObject({ outcome: 'switched', version: 'v2' });
    expect(pod.body.workers.map((w) => [w.worker, w.pid, w.outcome])).toEqual([
      [1, 101, 'switched'],
      [2, 102, 'unchanged'],
    ]);
  });

  it('is refused (409) when any worker refused, and 503 when one did not answer', async () => {
    const refused: WorkerAnswer = {
      worker: 2,
      pid: 102,
      payload: { outcome: 'refused', version: 'v2', reason: 'bad model', model },
    };
    const silent: WorkerAnswer = { worker: 2, pid: 102, error: 'exited (killed by SIGKILL)' };
    expect(await podReload(fakeLink([switched(1), refused]), deps)).toMatchObject({
      status: 409,
      body: { outcome: 'refused', reason: 'bad model' },
    });
    expect(await podReload(fakeLink([switched(1), silent]), deps)).toMatchObject({
      status: 503,
      body: { outcome: 'no_answer', reason: 'exited (killed by SIGKILL)' },
    });
  });
});

describe("a worker's /readyz", () => {
  it('is 200 only while the worker and the pod are ready, and says which worker answered', () => {
    const deps = profiledDeps();
    expect(podReadiness(fakeLink([]), deps)).toMatchObject({
      status: 200,
      body: { status: 'ready', worker: 1, workers: { ready: 2, of: 2 } },
    });
    expect(podReadiness(fakeLink([], false), deps)).toMatchObject({
      status: 503,
      body: { status: 'starting', workers: { ready: 1, of: 2 } },
    });
    deps.readiness.startDraining();
    expect(podReadiness(fakeLink([]), deps)).toMatchObject({
      status: 503,
      body: { status: 'draining' },
    });
  });
});
