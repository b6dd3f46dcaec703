import { describe, expect, it } from 'vitest';
import {
  evaluateFastapiFloors,
  evaluateFloors,
  evaluateOpenLoopFloors,
  floorConcurrency,
} from './floors.ts';
import type { OpenLoopSummary } from './open-loop/phase.ts';
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

  it('passes and fails each floor: c=32 throughput and p99, c=1 p50 and p99 with and without nginx, CPU per request', () => {
    const floors = evaluateFastapiFloors([
      withCpu(fakeSummary('ours-nginx/1', 32, 24_000, 4), 40, 20),
      fakeSummary('fastapi-nginx/1', 32, 5_000, 19),
      { ...fakeSummary('ours-nginx/1', 1, 2_500, 3), p50Ms: 0.3 },
      { ...fakeSummary('fastapi-nginx/1', 1, 2_400, 0.7), p50Ms: 0.4 },
      { ...fakeSummary('ours-direct/1', 1, 4_000, 0.5), p50Ms: 0.2 },
      { ...fakeSummary('fastapi-direct/1', 1, 3_000, 0.6), p50Ms: 0.22 },
      withCpu(fakeSummary('ceiling-hono/1', 32, 25_000, 2), 34, 20),
    ]);
    expect(floors.map((f) => [f.connections, f.measured?.toFixed(3), f.pass])).toEqual([
      [32, '4.800', false],
      [32, '4.750', false],
      [1, '1.333', true],
      [1, '0.233', false],
      [1, '1.100', false],
      [1, '1.200', true],
      [32, '0.900', true],
    ]);
    expect(floors[6]?.detail).toBe('60.0 vs 54.0 µs');
    expect(floors[3]?.detail).toBe('3.00 vs 0.70 ms');
    expect(floors[5]?.name).toMatch(/without nginx/);
  });

  it("shows the machine's own tail at one connection beside the c=1 p99 floors when measured", () => {
    const floors = evaluateFastapiFloors([
      fakeSummary('ours-nginx/1', 1, 2_500, 3.6),
      fakeSummary('fastapi-nginx/1', 1, 1_000, 3.5),
      fakeSummary('ceiling-static/1', 1, 11_000, 3.4),
      fakeSummary('ours-direct/1', 1, 2_500, 1.2),
      fakeSummary('fastapi-direct/1', 1, 1_000, 1.5),
      fakeSummary('ceiling-hono-direct/1', 1, 11_000, 0.9),
    ]);
    expect(floors[3]?.detail).toBe('3.60 vs 3.50 ms; nginx alone (static JSON): 3.40 ms');
    expect(floors[3]?.pass).toBe(false);
    expect(floors[5]?.detail).toBe('1.20 vs 1.50 ms; bare Hono constant: 0.90 ms');
    expect(floors[5]?.pass).toBe(true);
  });

  it('passes when ours is far enough ahead, and reports missing sides as not measured', () => {
    const passing = evaluateFastapiFloors([
      withCpu(fakeSummary('ours-nginx/1', 32, 26_000, 3), 40, 20),
      fakeSummary('fastapi-nginx/1', 32, 5_000, 19),
      { ...fakeSummary('ours-nginx/1', 1, 2_500, 0.6), p50Ms: 0.3 },
      { ...fakeSummary('fastapi-nginx/1', 1, 2_400, 0.7), p50Ms: 0.4 },
      { ...fakeSummary('ours-direct/1', 1, 2_500, 0.4), p50Ms: 0.2 },
      { ...fakeSummary('fastapi-direct/1', 1, 2_400, 0.45), p50Ms: 0.27 },
      withCpu(fakeSummary('ceiling-hono/1', 32, 25_000, 2), 34, 24),
    ]);
    expect(passing.map((f) => f.pass)).toEqual([true, true, true, true, true, true, true]);
    const missing = evaluateFastapiFloors([fakeSummary('ours-nginx/1', 32, 8000, 5)]);
    expect(missing.every((f) => f.pass === null && f.measured === null)).toBe(true);
  });
});

describe('evaluateOpenLoopFloors', () => {
  const at = (target: string, share: number, p99Ms: number, p999Ms: number) =>
    ({
      target,
      label: target,
      share,
      ratePerSec: 2000,
      runs: 3,
      p50Ms: 0.3,
      p99Ms,
      p999Ms,
      maxMs: 9,
      sendLagP99Ms: 0.1,
      errors: 0,
    }) as OpenLoopSummary;

  it('compares p99 and p99.9 at 50 % of the peer capacity only', () => {
    const floors = evaluateOpenLoopFloors([
      at('ours-nginx/1', 0.25, 9, 9),
      at('fastapi-nginx/1', 0.25, 1, 1),
      at('ours-nginx/1', 0.5, 1.2, 4),
      at('fastapi-nginx/1', 0.5, 1.5, 3),
    ]);
    expect(floors.map((f) => [f.openLoopShare, f.measured?.toFixed(3), f.pass])).toEqual([
      [0.5, '1.250', true],
      [0.5, '0.750', false],
    ]);
    expect(floors[1]?.detail).toBe('4.00 vs 3.00 ms at 2000 req/s');
    expect(evaluateOpenLoopFloors([]).every((f) => f.pass === null)).toBe(true);
  });
});

describe('floorConcurrency', () => {
  it('prefers 32, else the closest measured concurrency', () => {
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 32, 1, 1)])).toBe(32);
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 128, 1, 1)])).toBe(8);
  });
});
