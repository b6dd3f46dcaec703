import { describe, expect, it } from 'vitest';
import { evaluateFloors, floorConcurrency } from './floors.ts';
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

describe('floorConcurrency', () => {
  it('prefers 32, else the closest measured concurrency', () => {
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 32, 1, 1)])).toBe(32);
    expect(floorConcurrency([fakeSummary('a/1', 8, 1, 1), fakeSummary('a/1', 128, 1, 1)])).toBe(8);
  });
});
