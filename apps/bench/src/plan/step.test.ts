import { describe, expect, it } from 'vitest';
import { connectionLadder, type Level, levelPasses, stepLoad } from './step.ts';

/** A level with the given throughput and p99 (and CPU proportional to the requests). */
function level(connections: number, requestsPerSec: number, p99Ms: number, errors = 0): Level {
  return {
    connections,
    requestsPerSec,
    p50Ms: p99Ms / 3,
    p99Ms,
    errors,
    requests: requestsPerSec * 5,
    durationS: 5,
    serviceCpuS: requestsPerSec * 5 * 1e-4,
    nginxCpuS: requestsPerSec * 5 * 3e-5,
  };
}

/** A fake pod: a table from connections to the figures of each successive measurement. */
function fakePod(table: Record<number, [number, number, number?][]>) {
  const calls: number[] = [];
  const seen = new Map<number, number>();
  const measure = async (connections: number): Promise<Level> => {
    calls.push(connections);
    const runs = table[connections];
    if (!runs) throw new Error(`unexpected c=${connections}`);
    const i = seen.get(connections) ?? 0;
    seen.set(connections, i + 1);
    const [rps, p99, errors] = runs[Math.min(i, runs.length - 1)] as [number, number, number?];
    return level(connections, rps, p99, errors);
  };
  return { measure, calls };
}

const ladder = connectionLadder(64);

describe('connectionLadder', () => {
  it('doubles up to the maximum, which is always tried', () => {
    expect(connectionLadder(64)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(connectionLadder(100)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(connectionLadder(1)).toEqual([1]);
  });
});

describe('levelPasses', () => {
  it('needs p99 within the limit and no errors', () => {
    expect(levelPasses(level(1, 100, 50), 50)).toBe(true);
    expect(levelPasses(level(1, 100, 50.1), 50)).toBe(false);
    expect(levelPasses(level(1, 100, 1, 3), 50)).toBe(false);
  });
});

describe('stepLoad', () => {
  it('stops when p99 crosses the limit (confirmed) and takes the last level under it', async () => {
    const pod = fakePod({
      1: [[1000, 1]],
      2: [[1900, 2]],
      4: [[3500, 4]],
      8: [[5000, 20]],
      16: [[5600, 70]],
    });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.stop).toBe('p99');
    expect(result.capacity?.connections).toBe(8);
    expect(pod.calls).toEqual([1, 2, 4, 8, 16, 16]);
  });

  it('believes a second run when a crossing was noise', async () => {
    const pod = fakePod({
      1: [[1000, 1]],
      2: [
        [1900, 90],
        [1900, 2],
      ],
      4: [[3500, 4]],
      8: [[3600, 60]],
    });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.capacity?.connections).toBe(4);
    expect(result.levels.map((l) => l.connections)).toEqual([1, 2, 2, 4, 8, 8]);
  });

  it('does not re-measure when confirmation is off', async () => {
    const pod = fakePod({ 1: [[1000, 1]], 2: [[1900, 90]] });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder, confirm: false });
    expect(result.capacity?.connections).toBe(1);
    expect(pod.calls).toEqual([1, 2]);
  });

  it('stops when throughput stops rising, keeping the best level', async () => {
    const pod = fakePod({
      1: [[1000, 1]],
      2: [[1900, 2]],
      4: [[3000, 3]],
      8: [[3050, 5]],
      16: [[2990, 9]],
      32: [[9999, 1]],
    });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.stop).toBe('plateau');
    expect(result.capacity?.connections).toBe(8);
    expect(pod.calls).toEqual([1, 2, 4, 8, 16]);
  });

  it('a level that rises again resets the plateau count', async () => {
    const pod = fakePod({
      1: [[1000, 1]],
      2: [[1020, 2]],
      4: [[2000, 3]],
      8: [[2010, 5]],
      16: [[2020, 9]],
    });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.stop).toBe('plateau');
    expect(pod.calls).toEqual([1, 2, 4, 8, 16]);
    expect(result.capacity?.connections).toBe(16);
  });

  it('stops on errors', async () => {
    const pod = fakePod({ 1: [[1000, 1]], 2: [[1900, 2, 5]] });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.stop).toBe('errors');
    expect(result.capacity?.connections).toBe(1);
  });

  it('finds no capacity when even one connection is over the limit', async () => {
    const pod = fakePod({ 1: [[100, 80]] });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder });
    expect(result.capacity).toBeUndefined();
    expect(result.stop).toBe('p99');
  });

  it('ends at the top of the ladder', async () => {
    const pod = fakePod({ 1: [[1000, 1]], 2: [[2000, 1]], 4: [[4000, 1]] });
    const result = await stepLoad(pod.measure, { p99LimitMs: 50, ladder: [1, 2, 4] });
    expect(result.stop).toBe('max-connections');
    expect(result.capacity?.connections).toBe(4);
  });

  it('reports every level with a verdict', async () => {
    const pod = fakePod({ 1: [[1000, 1]], 2: [[1900, 99]] });
    const verdicts: string[] = [];
    await stepLoad(pod.measure, {
      p99LimitMs: 50,
      ladder,
      onLevel: (l, v) => verdicts.push(`${l.connections}: ${v}`),
    });
    expect(verdicts).toEqual([
      '1: ok',
      '2: over the limit; measuring again',
      '2: p99 over the limit: stop',
    ]);
  });
});
