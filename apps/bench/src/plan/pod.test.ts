import { describe, expect, it } from 'vitest';
import { missingPrerequisite } from '../bench.ts';
import { isCi } from '../config.ts';
import { PLAN_TARGET, startPod } from './pod.ts';
import { stepLoad } from './step.ts';

// One real, short plan measurement: the built service behind the shipped nginx config, wrk at
// one and two connections for a second each. It proves the pieces fit (the pod starts, answers,
// and its CPU is counted); it asserts nothing about speed, and the latency limit is generous.
const missing = await missingPrerequisite(undefined, undefined, [PLAN_TARGET]);
if (missing && isCi()) throw new Error(`the plan smoke test needs ${missing}`);
if (missing) console.warn(`skipping the plan smoke test: missing ${missing}`);

describe.skipIf(missing !== undefined)('pnpm plan against the real pod', () => {
  it('measures levels with requests, CPU and no errors', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const pod = await startPod({ durationS: 1, warmupS: 0, warmupConnections: 1 }, (l) =>
      lines.push(l),
    );
    try {
      const result = await stepLoad(pod.measure, { p99LimitMs: 10_000, ladder: [1, 2] });
      expect(result.levels.map((l) => l.connections)).toEqual([1, 2]);
      for (const level of result.levels) {
        expect.soft(level.errors).toBe(0);
        expect.soft(level.requests).toBeGreaterThan(0);
        expect.soft(level.serviceCpuS).toBeGreaterThan(0);
        expect.soft(level.nginxCpuS).toBeGreaterThan(0);
      }
      expect(result.capacity).toBeDefined();
    } finally {
      await pod.stop();
    }
    expect(lines.some((l) => l.includes('ours-nginx'))).toBe(true);
  });
});
