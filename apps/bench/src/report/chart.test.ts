import { describe, expect, it } from 'vitest';
import { fakeSummary } from '../testing.ts';
import { benchmarkChart, logTicks } from './chart.ts';

describe('logTicks', () => {
  it('gives 1-2-5 ticks inside the range', () => {
    expect(logTicks(10, 1000)).toEqual([10, 20, 50, 100, 200, 500, 1000]);
  });
});

describe('benchmarkChart', () => {
  const summaries = [1, 8, 32].flatMap((c) => [
    fakeSummary('ours-nginx/1', c, 1000 * c, 1 + c / 10),
    fakeSummary('peer-nginx/1', c, 100 * c, 10 + c),
    fakeSummary('ours-nginx/64', c, 100 * c, 5 + c),
    fakeSummary('heavy-batching-on/1', c, 1, 1),
  ]);
  const svg = benchmarkChart(summaries, 'title <&>');

  it('draws throughput, p50 and p99 for every main target, not the batching ones', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(9);
    expect(svg).not.toContain('heavy-batching');
    expect(svg).toContain('title &lt;&amp;&gt;');
  });

  it('dashes the 64-record series', () => {
    expect(svg.match(/<polyline [^>]*stroke-dasharray/g)).toHaveLength(3);
  });

  it('draws CPU per request (server + nginx) where it was measured', () => {
    const withCpu = summaries.map((s) =>
      s.id === 'ours-nginx/1' ? { ...s, appCpuUsPerRequest: 60, proxyCpuUsPerRequest: 20 } : s,
    );
    const chart = benchmarkChart(withCpu, 'cpu');
    expect(chart.match(/<polyline /g)).toHaveLength(10);
    expect(chart).toContain('1 connections: 80<');
    expect(svg).toContain('not measured');
  });

  it('labels the concurrencies on the x axis', () => {
    for (const c of ['1', '8', '32']) expect(svg).toContain(`>${c}</text>`);
  });
});
