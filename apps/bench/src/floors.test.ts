import { describe, expect, it } from 'vitest';
import { evaluateFastapiFloors, evaluateFloors, floorConcurrency } from './floors.ts';
import { fakeSummary } from './testing.ts';

describe('evaluateFloors', () => {
  it('passes and fails each floor on ratios at 32 connections', () => {
    const floors = evaluateFloors([
      fakeSummary('ours-nginx/1', 8, 1, 1),
      fakeSummary('ours-nginx/1', 32, 8000, 5),
      fakeSummary('peer-nginx/1', 32, 500, 40),
      fakeSummary('ceiling-service/1', 32, 10000, 2),
      // The bare Hono ceiling is informational: a far higher figure must not change the floor.
      fakeSummary('ceiling-hono/1', 32, 40000, 1),
      fakeSummary('heavy-batching-on/1', 32, 1200, 10),
      fakeSummary('heavy-batching-off/1', 32, 1000, 10),
    ]);
    expect(floors.map((f) => [f.connections, f.measured, f.pass])).toEqual([
      [32, 16, true],
      [32, 8, false],
      [32, 0.8, true],
      [32, 1.2, false],
    ]);
  });

  it('reports a floor as not measured when a side is missing', () => {
    const floors = evaluateFloors([fakeSummary('ours-nginx/1', 32, 8000, 5)]);
    expect(floors.every((f) => f.pass === null && f.measured === null)).toBe(true);
  });
});

describe('evaluateFastapiFloors', () => {
  const withCpu = (s: ReturnType<typeof fakeSummary>, app: number, proxy: number) => ({
    ...s,
    appCpuUsPerRequest: app,
    proxyCpuUsPerRequest: proxy,
  });

  it('passes and fails each floor: c=32 throughput and p99, c=1 p50 and p99, CPU per request', () => {
    const floors = evaluateFastapiFloors([
      withCpu(fakeSummary('ours-nginx/1', 32, 14_000, 5), 60, 30),
      fakeSummary('fastapi-nginx/1', 32, 5_000, 19),
      { ...fakeSummary('ours-nginx/1', 1, 2_500, 3), p50Ms: 0.3 },
      { ...fakeSummary('fastapi-nginx/1', 1, 2_400, 0.7), p50Ms: 0.4 },
      withCpu(fakeSummary('ceiling-hono/1', 32, 25_000, 2), 34, 24),
    ]);
    expect(floors.map((f) => [f.connections, f.measured?.toFixed(3), f.pass])).toEqual([
      [32, '2.800', false],
      [32, '3.800', false],
      [1, '1.333', true],
      [1, '0.233', false],
      [32, '0.644', false],
    ]);
    expect(floors[4]?.detail).toBe('90.0 vs 58.0 µs');
    expect(floors[3]?.detail).toBe('3.00 vs 0.70 ms');
  });

  it("shows the machine's own tail at one connection beside the c=1 p99 floor when measured", () => {
    const floors = evaluateFastapiFloors([
      fakeSummary('ours-nginx/1', 1, 2_500, 3.6),
      fakeSummary('fastapi-nginx/1', 1, 1_000, 3.5),
      fakeSummary('ceiling-static/1', 1, 11_000, 3.4),
    ]);
    expect(floors[3]?.detail).toBe('3.60 vs 3.50 ms; nginx alone (static JSON): 3.40 ms');
    expect(floors[3]?.pass).toBe(false);
  });

  it('passes when ours is far enough ahead, and reports missing sides as not measured', () => {
    const passing = evaluateFastapiFloors([
      withCpu(fakeSummary('ours-nginx/1', 32, 20_000, 4), 50, 30),
      fakeSummary('fastapi-nginx/1', 32, 5_000, 19),
      { ...fakeSummary('ours-nginx/1', 1, 2_500, 0.6), p50Ms: 0.3 },
      { ...fakeSummary('fastapi-nginx/1', 1, 2_400, 0.7), p50Ms: 0.4 },
      withCpu(fakeSummary('ceiling-hono/1', 32, 25_000, 2), 34, 24),
    ]);
    expect(passing.map((f) => f.pass)).toEqual([true, true, true, true, true]);
    const missing = evaluateFastapiFloors([fakeSummary('ours-nginx/1', 32, 8000, 5)]);
    expect(missing.every((f) => f.pass === null && f.measured === null)).toBe(true);
  });
});

describe('floorConcurrency', () => {
  it('prefers 32, else the closest measured concurrency', () => {
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 32, 1, 1)])).toBe(32);
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 128, 1, 1)])).toBe(8);
  });
});
