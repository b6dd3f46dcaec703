import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchOutput, missingPrerequisite, runBenchmark } from './bench.ts';
import { isCi, smokeOptions } from './config.ts';
import { allowedCpus } from './cpu-layout.ts';
import { requestsPerCore } from './summarize.ts';

// The CI smoke run: every stack for real (nginx, the built service, Gunicorn + Flask, Gunicorn
// + uvicorn + FastAPI from the venv .ci/run installs, wrk),
// one concurrency, one second per target. It proves the harness works and every target
// answers 2xx; it asserts nothing about speed.
const missing = await missingPrerequisite();
if (missing && isCi()) throw new Error(`the benchmark smoke test needs ${missing}`);
if (missing) console.warn(`skipping the benchmark smoke test: missing ${missing}`);

describe.skipIf(missing !== undefined)('benchmark smoke run', async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rm(outDir, { recursive: true, force: true }));
  const lines: string[] = [];
  let output: BenchOutput | undefined;

  // Starting every stack (five Gunicorn workers per Python peer among them) takes a while when
  // the CI run's other packages test beside it on two cores.
  it('runs every target and writes the report', { timeout: 300_000 }, async () => {
    output = await runBenchmark({ ...smokeOptions, outDir }, (line) => lines.push(line));
    expect(lines.some((l) => l.includes('[1/'))).toBe(true);
  });

  it('measured non-zero throughput and only 2xx answers on every target', () => {
    const summaries = output?.report.summaries ?? [];
    expect(summaries.map((s) => s.id).sort()).toEqual(
      [
        'ceiling-hono/1',
        'ceiling-service/1',
        'ceiling-static/1',
        'fastapi-nginx/1',
        'fastapi-nginx/64',
        'heavy-batching-off/1',
        'heavy-batching-on/1',
        'ours-direct/1',
        'ours-direct/64',
        'ours-nginx/1',
        'ours-nginx/64',
        'peer-nginx/1',
        'peer-nginx/64',
      ].sort(),
    );
    for (const s of summaries) {
      expect.soft(s.requests, s.id).toBeGreaterThan(0);
      expect.soft(s.requestsPerSec, s.id).toBeGreaterThan(0);
      expect.soft(s.p99Ms, s.id).toBeGreaterThan(0);
      expect.soft(s.errors, s.id).toBe(0);
    }
  });

  it('measured start-up, memory, the model alone and every floor', () => {
    const report = output?.report;
    expect(report?.startup.map((s) => s.stack)).toEqual([
      'ours-nginx',
      'peer-nginx',
      'fastapi-nginx',
    ]);
    for (const s of report?.startup ?? []) {
      expect(s.medianReadyMs).toBeGreaterThan(0);
      expect(s.idlePssMiB).toBeGreaterThan(0);
    }
    for (const id of ['ours-nginx/1', 'peer-nginx/1', 'fastapi-nginx/1']) {
      const s = report?.summaries.find((x) => x.id === id);
      expect.soft(requestsPerCore(s), id).toBeGreaterThan(0);
      expect.soft(s?.coresUsed, id).toBeGreaterThan(0);
    }
    for (const id of ['peer-nginx/1', 'fastapi-nginx/1']) {
      const peer = report?.summaries.find((s) => s.id === id);
      expect.soft(peer?.appPssMiB, id).toBeGreaterThan(0);
      expect.soft(peer?.appCpuUsPerRequest, id).toBeGreaterThan(0);
      expect.soft(peer?.proxyCpuUsPerRequest, id).toBeGreaterThan(0);
    }
    expect(report?.modelAlone.map((m) => m.rows)).toEqual([1, 64, 1, 64]);
    // The open loop: ours and the peer at three shares of the peer's capacity, all answered.
    const open = report?.openLoop?.summaries ?? [];
    expect(open.map((s) => `${s.target}@${s.share}`).sort()).toEqual(
      ['fastapi-nginx/1', 'ours-nginx/1']
        .flatMap((t) => [0.25, 0.5, 0.75].map((x) => `${t}@${x}`))
        .sort(),
    );
    for (const s of open) {
      expect.soft(s.errors, s.target).toBe(0);
      expect.soft(s.p999Ms, s.target).toBeGreaterThan(0);
    }
    expect(report?.modelAlone.every((m) => m.runsPerSec > 0)).toBe(true);
    expect(report?.floors).toHaveLength(13);
    // Every floor at a measured concurrency has its ratio, and so do the open-loop ones; the
    // one-connection floors have none unless the run measured one connection.
    for (const f of report?.floors ?? []) {
      if (f.openLoopShare !== undefined || smokeOptions.concurrencies.includes(f.connections)) {
        expect.soft(f.measured, f.name).toBeGreaterThan(0);
      } else expect.soft(f.measured, f.name).toBeNull();
    }
  });

  it('wrote the markdown table, the JSON and the chart', async () => {
    if (!output) throw new Error('no run');
    const md = await readFile(output.markdownFile, 'utf8');
    expect(md).toContain('| ours: nginx → service, 1 record |');
    expect(md).toContain('## Floors');
    expect(md).toContain('## Open-loop latency (constant request rate)');
    expect(md).toContain('## One connection (closed loop, c=1)');
    expect(md).toContain('## Requests per second per core consumed (median)');
    const json = JSON.parse(await readFile(output.jsonFile, 'utf8'));
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.versions.nginx).toMatch(/nginx/);
    const svg = await readFile(output.chartFile, 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });
});

// The same harness with the load generator set apart (`--layout apart`), on the two stacks the
// c=32 floors compare; needs two CPUs.
const cpus = await allowedCpus();
describe.skipIf(missing !== undefined || cpus.length < 2)(
  'benchmark smoke run, --layout apart',
  async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'bench-apart-'));
    afterAll(() => rm(outDir, { recursive: true, force: true }));
    const lines: string[] = [];
    let output: BenchOutput | undefined;

    it('runs the servers on all CPUs but the last, and the load generator on the last', {
      timeout: 300_000,
    }, async () => {
      output = await runBenchmark(
        { ...smokeOptions, outDir, layout: 'apart', only: ['ours-nginx/1', 'fastapi-nginx/1'] },
        (line) => lines.push(line),
      );
      const servers = cpus.slice(0, -1).join(', ');
      expect(output.report.method).toContain(
        `CPU layout "apart": servers and their nginx on CPU${cpus.length > 2 ? 's' : ''} ${servers}, the load generator on CPU ${cpus.at(-1)} (taskset), so that the load generator's CPU, which grows with the rate a stack answers, is not taken from the stack; each peer's Gunicorn counts the cores it may use (${cpus.length - 1}).`,
      );
      const ids = new Set(output.report.measurements.map((m) => m.target));
      expect([...ids].sort()).toEqual(['fastapi-nginx/1', 'ours-nginx/1']);
      // The run moved itself back and forth; the test's own process keeps every CPU.
      expect(await allowedCpus()).toEqual(cpus);
    });
  },
);
