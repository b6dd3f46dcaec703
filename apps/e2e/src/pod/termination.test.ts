import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContainerProcess, startContainerProcess } from './container-process.ts';
import { createPathMap } from './path-map.ts';
import { terminatePod } from './termination.ts';

/** A process that prints `ready`, then handles SIGTERM by exiting 0 — or ignores it. */
const node = (name: string, dir: string, onTerm: 'exit' | 'ignore'): ContainerProcess =>
  startContainerProcess(
    name,
    {
      command: process.execPath,
      args: [
        '-e',
        `process.on('SIGTERM', () => { ${onTerm === 'exit' ? 'process.exit(0)' : ''} });
         console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      env: {},
    },
    dir,
  );

const started = async (processes: ContainerProcess[]) => {
  for (const child of processes) {
    while (!(await child.stdout()).includes('ready')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
};

describe('terminatePod', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-term-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const paths = createPathMap([]);

  it('runs the preStop hook before the stop signal; a container without one is signalled at once', async () => {
    const hooked = node('hooked', dir, 'exit');
    const plain = node('plain', dir, 'exit');
    await started([hooked, plain]);
    const report = await terminatePod(
      [
        { process: hooked, preStop: ['sleep', '0.3'], stopSignal: 'SIGTERM', paths },
        { process: plain, stopSignal: 'SIGTERM', paths },
      ],
      10,
    );
    const [first, second] = report.containers;
    expect(first?.preStop).toMatchObject({ command: ['sleep', '0.3'], exitCode: 0 });
    expect(first?.signalledAtMs).toBeGreaterThanOrEqual(first?.preStop?.doneAtMs ?? Infinity);
    expect(second?.preStop).toBeUndefined();
    expect(second?.signalledAtMs).toBeLessThan(first?.preStop?.doneAtMs ?? 0);
    for (const container of report.containers) {
      expect(container).toMatchObject({ killed: false, exit: { code: 0 } });
    }
  });

  it('kills a container that outlives the grace period', async () => {
    const stubborn = node('stubborn', dir, 'ignore');
    await started([stubborn]);
    const report = await terminatePod([{ process: stubborn, stopSignal: 'SIGTERM', paths }], 1);
    expect(report.containers[0]).toMatchObject({ killed: true, exit: { signal: 'SIGKILL' } });
    expect(report.containers[0]?.exitedAtMs).toBeGreaterThanOrEqual(report.gracePeriodMs);
  });
});
