import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../../../charts/src/environments.ts';
import type { PlanArgs } from './args.ts';
import { PlanError } from './arithmetic.ts';
import { loadCapacityFile, renderCapacityFile } from './capacity-file.ts';
import { runPlan } from './plan.ts';
import type { Pod } from './pod.ts';
import { formatPlan } from './report.ts';
import type { Level } from './step.ts';

const args: PlanArgs = {
  rps: 10_000,
  p99Ms: 50,
  env: 'gke',
  write: false,
  utilizationPercent: 70,
  durationS: 5,
  warmupS: 0,
  maxConnections: 64,
  json: false,
};

/** A pod whose throughput doubles up to 4000 req/s, p99 crossing 50 ms at 32 connections. */
function fakePod(rpsAt: (c: number) => number = (c) => Math.min(4000, 500 * c)): Pod {
  return {
    measure: async (connections): Promise<Level> => {
      const requestsPerSec = rpsAt(connections);
      return {
        connections,
        requestsPerSec,
        p50Ms: connections / 4,
        p99Ms: connections * 2,
        errors: 0,
        requests: requestsPerSec * 5,
        durationS: 5,
        serviceCpuS: requestsPerSec * 5 * 200e-6,
        nginxCpuS: requestsPerSec * 5 * 60e-6,
        servicePssMiB: 90,
      };
    },
    stop: async () => {},
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const deps = (file: string, pod = fakePod()) => ({
  startPod: async () => pod,
  capacityFile: file,
  now: () => new Date('2026-05-01T12:00:00Z'),
  progress: () => {},
});

describe('runPlan', () => {
  it('plans from the last level under the limit, and writes nothing without --write', async () => {
    const file = join(dir, 'untouched.ts');
    await writeFile(file, renderCapacityFile({}));
    const result = await runPlan(args, deps(file));
    // 4000 req/s from 8 connections on; 32 connections cross 50 ms: the first 4000 is capacity
    expect(result.capacityLevel.connections).toBe(8);
    expect(result.measured.capacityRps).toBe(4000);
    expect(result.measured.serviceCpuPerRequestS).toBeCloseTo(200e-6);
    expect(result.plan.autoscaling).toEqual({
      minReplicas: 4,
      maxReplicas: 8,
      cpuUtilizationPercent: 70,
      requestsPerSecondPerPod: 2800,
    });
    // gke has no podMonitoring: the requests signal is printed, not applied
    expect(result.requestsSignalApplied).toBe(false);
    expect(result.written).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(renderCapacityFile({}));
    const text = formatPlan(result);
    expect(text).toContain('Capacity of one pod: 4,000 req/s');
    expect(text).toContain('minReplicas 4, maxReplicas 8, CPU target 70 %');
    expect(text).toContain("{ signal: 'requestsPerSecond', targetPerPod: 2800 }");
    expect(text).toContain("optional: needs metrics.podMonitoring in 'gke'");
    expect(text).toContain('cpu request 800m (was 500m), limit 1000m');
    expect(text).toContain('a machine like your nodes');
    expect(text).toContain('Nothing written');
  });

  it('with --write, writes the environment and keeps the others', async () => {
    const file = join(dir, 'capacity.ts');
    await writeFile(file, renderCapacityFile({}));
    await runPlan({ ...args, env: 'local', rps: 100, write: true }, deps(file));
    const result = await runPlan({ ...args, write: true }, deps(file));
    expect(result.written).toBe(file);
    const text = await readFile(file, 'utf8');
    expect(text).toContain(
      '- gke: `pnpm plan --rps 10000 --p99-ms 50 --env gke --write` at 2026-05-01T12:00:00.000Z',
    );
    expect(text).toContain('- local: `pnpm plan --rps 100 --p99-ms 50 --env local --write`');
    const entries = await loadCapacityFile(file);
    expect(entries.gke?.workload.autoscaling).toEqual({
      minReplicas: 4,
      maxReplicas: 8,
      cpuUtilizationPercent: 70,
    });
    expect(entries.gke?.workload.resources.inference.requests.cpuMillis).toBe(800);
    expect(entries.gke?.replaces.resources.inference.requests.cpuMillis).toBe(500);
    expect(entries.gke?.measured).toMatchObject({
      capacityRps: 4000,
      connections: 8,
      serviceCpuUsPerRequest: 200,
      nginxCpuUsPerRequest: 60,
    });
    // local's own floor (1 replica) and resources
    expect(entries.local?.workload.autoscaling.minReplicas).toBe(1);
    expect(entries.local?.workload.resources.inference.requests.memoryMiB).toBe(
      ENVIRONMENTS.local.workload.resources?.inference?.requests.memoryMiB,
    );
  });

  it('a second --write starts again from the values the first one replaced', async () => {
    const file = join(dir, 'twice.ts');
    await writeFile(file, renderCapacityFile({}));
    const heavy = fakePod((c) => Math.min(8000, 1000 * c));
    await runPlan({ ...args, write: true }, deps(file, heavy));
    await runPlan({ ...args, write: true }, deps(file));
    const entries = await loadCapacityFile(file);
    expect(entries.gke?.replaces.resources.inference.limits.cpuMillis).toBe(1000);
    expect(entries.gke?.workload.resources.inference.limits.cpuMillis).toBe(1000);
  });

  it('fails when no level is within the limit, writing nothing', async () => {
    const file = join(dir, 'none.ts');
    await writeFile(file, renderCapacityFile({}));
    await expect(runPlan({ ...args, p99Ms: 1, write: true }, deps(file))).rejects.toThrow(
      /even 1 connection\(s\) gave p99 2\.00 ms > --p99-ms 1/,
    );
    expect(await readFile(file, 'utf8')).toBe(renderCapacityFile({}));
  });

  it('refuses a measured capacity of 0 req/s, writing nothing', async () => {
    const file = join(dir, 'zero.ts');
    await writeFile(file, renderCapacityFile({}));
    const zero = fakePod(() => 0);
    await expect(runPlan({ ...args, write: true }, deps(file, zero))).rejects.toThrow(PlanError);
    await expect(runPlan({ ...args, write: true }, deps(file, zero))).rejects.toThrow(
      /capacity \(0\) must be > 0/,
    );
    expect(await readFile(file, 'utf8')).toBe(renderCapacityFile({}));
  });

  it('refuses to overwrite a file it did not generate, before measuring', async () => {
    const file = join(dir, 'hand-written.ts');
    await writeFile(file, 'export const CAPACITY = {};\n');
    let started = false;
    await expect(
      runPlan(
        { ...args, write: true },
        {
          ...deps(file),
          startPod: async () => {
            started = true;
            return fakePod();
          },
        },
      ),
    ).rejects.toThrow(/not generated by pnpm plan --write/);
    expect(started).toBe(false);
  });
});
