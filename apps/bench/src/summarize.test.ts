import { describe, expect, it } from 'vitest';
import { ratios, requestsPerCore, summarize } from './summarize.ts';
import { fakeMeasurement, fakeSummary, fakeTargets } from './testing.ts';

describe('summarize', () => {
  it('takes medians over runs per target and concurrency', () => {
    const targets = fakeTargets(['ours-nginx/1', 'peer-nginx/64']);
    const summaries = summarize(targets, [
      fakeMeasurement('ours-nginx/1', 8, 100, 5, 0),
      fakeMeasurement('ours-nginx/1', 8, 300, 9, 1),
      fakeMeasurement('ours-nginx/1', 8, 200, 7, 2),
      fakeMeasurement('ours-nginx/1', 32, 400, 20),
      fakeMeasurement('peer-nginx/64', 8, 10, 50),
    ]);
    expect(summaries.map((s) => [s.id, s.connections, s.runs])).toEqual([
      ['ours-nginx/1', 8, 3],
      ['ours-nginx/1', 32, 1],
      ['peer-nginx/64', 8, 1],
    ]);
    expect(summaries[0]?.requestsPerSec).toBe(200);
    expect(summaries[0]?.p99Ms).toBe(7);
    expect(summaries[2]?.rowsPerSec).toBe(640);
  });

  it('adds up errors of every kind', () => {
    const [target] = fakeTargets(['ours-nginx/1']);
    const m = fakeMeasurement('ours-nginx/1', 1, 10, 1);
    const failing = {
      ...m,
      load: { ...m.load, errors: { ...m.load.errors, status: 4, timeout: 1 } },
    };
    expect(summarize(target ? [target] : [], [m, failing])[0]?.errors).toBe(5);
  });
});

describe('CPU per request, per core and cores used', () => {
  it('reads requests per core as requests per CPU second of server + nginx, and cores as CPU seconds per second', () => {
    const [target] = fakeTargets(['ours-nginx/1']);
    // 2 s runs of 10000 req/s: 20000 requests, 1.6 + 0.4 CPU seconds (100 µs per request).
    const run = (round: number, appCpuS: number) => ({
      ...fakeMeasurement('ours-nginx/1', 32, 10_000, 4, round),
      appCpuS,
      proxyCpuS: 0.4,
    });
    const [s] = summarize(target ? [target] : [], [run(0, 1.6), run(1, 1.6), run(2, 3.6)]);
    expect(s?.appCpuUsPerRequest).toBeCloseTo(80, 9);
    expect(s?.proxyCpuUsPerRequest).toBeCloseTo(20, 9);
    expect(requestsPerCore(s)).toBeCloseTo(10_000, 6);
    expect(s?.coresUsed).toBeCloseTo(1, 9);
    expect(requestsPerCore(fakeSummary('ours-nginx/1', 32, 1, 1))).toBeUndefined();
  });
});

describe('ratios', () => {
  it('computes ours/peer and ours/ceiling per concurrency', () => {
    const r = ratios([
      fakeSummary('ours-nginx/1', 32, 9000, 4),
      fakeSummary('peer-nginx/1', 32, 450, 80),
      fakeSummary('ceiling-service/1', 32, 12000, 3),
      fakeSummary('ceiling-hono/1', 32, 36000, 1),
    ]);
    const value = (name: string) => r.find((x) => x.name.startsWith(name))?.value;
    expect(value('ours/peer req/s, 1 record')).toBe(20);
    expect(value('peer/ours p99')).toBe(20);
    expect(value('ours/ceiling req/s: nginx → service stack')).toBe(0.75);
    expect(value('ours/ceiling req/s: nginx → bare Hono')).toBe(0.25);
    expect(r.find((x) => x.name.includes('64 records'))).toBeUndefined();
  });
});
