/**
 * Synthesizes the real chart app (charts/src/app.ts, as `pnpm synth` does) with a capacity file
 * written by `pnpm plan --write` in place of the committed one, and checks that the charts
 * accept it: the plan's numbers in the HPA and the containers, the Kubernetes schema, no unknown
 * fields.
 */
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findUnknownFields, type KubeObject, validateObjects } from '@modelship/k8s/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PlanArgs } from './args.ts';
import { runPlan } from './plan.ts';
import type { Level } from './step.ts';

// A capacity file with no plan, in a temporary directory, stands in for the committed one.
const state = await vi.hoisted(async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { renderCapacityFile } = await import('./capacity-file.ts');
  const dir = mkdtempSync(join(tmpdir(), 'plan-synth-'));
  const file = join(dir, 'capacity.ts');
  writeFileSync(file, renderCapacityFile({}));
  return { dir, file };
});
vi.mock('../../../../charts/src/capacity.ts', () => import(/* @vite-ignore */ state.file));
afterAll(() => rm(state.dir, { recursive: true, force: true }));

interface Container {
  name: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

describe('a capacity file written by pnpm plan --write', () => {
  it('synthesizes into charts that carry its numbers and pass the schema', async () => {
    const args: PlanArgs = {
      rps: 10_000,
      p99Ms: 50,
      env: 'gke',
      write: true,
      utilizationPercent: 70,
      durationS: 5,
      warmupS: 0,
      maxConnections: 64,
      json: false,
    };
    const measure = async (connections: number): Promise<Level> => {
      const requestsPerSec = Math.min(4000, 300 * connections);
      return {
        connections,
        requestsPerSec,
        p50Ms: 1,
        p99Ms: connections * 2,
        errors: 0,
        requests: requestsPerSec * 5,
        durationS: 5,
        serviceCpuS: requestsPerSec * 5 * 300e-6,
        nginxCpuS: requestsPerSec * 5 * 60e-6,
      };
    };
    await runPlan(args, {
      startPod: async () => ({ measure, stop: async () => {} }),
      capacityFile: state.file,
      progress: () => {},
    });

    // Load the charts afresh with the written file, as `pnpm synth` would after the write (a
    // copy at a new path: vitest keeps the module it loaded from the old one).
    const written = join(state.dir, 'written.ts');
    await copyFile(state.file, written);
    vi.resetModules();
    vi.doMock('../../../../charts/src/capacity.ts', () => import(/* @vite-ignore */ written));
    const { buildApp } = await import('../../../../charts/src/app.ts');

    const app = buildApp({
      charts: ['gke', 'local'],
      image: 'europe-west1-docker.pkg.dev/acme/models/inference:9.9.9',
      googleCloudProject: undefined,
      namespace: undefined,
      modelSource: undefined,
    });
    const charts = app.charts.map((chart) => ({
      id: chart.node.id,
      objects: chart.toJson() as KubeObject[],
    }));
    const gke = charts.find((c) => c.id === 'gke')?.objects ?? [];
    const hpa = gke.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as {
      spec: {
        minReplicas: number;
        maxReplicas: number;
        metrics: { containerResource: { target: { averageUtilization: number } } }[];
      };
    };
    // 4000 req/s capacity, 70 % → 2800 per pod; 10000 req/s → 4 pods; 1.2 cores at capacity
    expect(hpa.spec.minReplicas).toBe(4);
    expect(hpa.spec.maxReplicas).toBe(8);
    expect(hpa.spec.metrics[0]?.containerResource.target.averageUtilization).toBe(70);
    const deployment = gke.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Container[] } } };
    };
    const inference = deployment.spec.template.spec.containers.find((c) => c.name === 'inference');
    expect(inference?.resources.requests.cpu).toBe('1200m');
    expect(inference?.resources.limits.cpu).toBe('1200m');
    expect(inference?.resources.requests.memory).toBe('512Mi');

    // local has no plan: its own values
    const local = charts.find((c) => c.id === 'local')?.objects ?? [];
    const localHpa = local.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as {
      spec: { minReplicas: number; maxReplicas: number };
    };
    expect(localHpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });

    const all = charts.flatMap((c) => c.objects);
    expect(await validateObjects(all)).toEqual([]);
    expect(findUnknownFields(all)).toEqual([]);
  }, 60_000);
});
