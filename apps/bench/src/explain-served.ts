// /explain against /predict as served: the built service in its own process over real HTTP,
// its CPU time read from /proc (the client's excluded). Two comparisons of the floors:
// an additive explanation costs at most 2x the service CPU of a /predict of the same record,
// and /predict's throughput is the same with explain support loaded (background rows in
// profile.json: the explainer's session built at load) as without (no background rows).
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { buildProfile, compileSchema, type FeatureRecord } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { cpuMeter } from './cpu-time.ts';
import { type Running, startService } from './stacks.ts';
import { median } from './stats.ts';

/** One POST over a keep-alive agent; rejects on anything but 200. */
function post(agent: Agent, url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `requests` POSTs over `concurrency` connections: wall ms and the service's CPU seconds. */
async function drive(
  service: Running,
  path: string,
  body: string,
  requests: number,
  concurrency: number,
): Promise<{ wallMs: number; cpuSeconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(path, service.url);
  // Connections open and the route warm before the meter starts.
  await Promise.all(Array.from({ length: concurrency }, () => post(agent, url, body)));
  const meter = cpuMeter(service.app.map((p) => p.pid));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next += 1;
        await post(agent, url, body);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpuSeconds = meter.stop();
  agent.destroy();
  return { wallMs, cpuSeconds };
}

/** Options of {@link servedExplainCost}. */
export interface ServedOptions {
  readonly workDir: string;
  readonly runs: number;
  /** Requests per run. */
  readonly requests: number;
  /** Training-like rows: the profile's and background's, and the record explained. */
  readonly rows: readonly FeatureRecord[];
}

/** Writes the linear insurance model (additive) with a profile; `background` rows, or none. */
async function modelDir(dir: string, rows: readonly FeatureRecord[], background: number) {
  const model = linearModel(insuranceSchema);
  await writeModelDir(insuranceSchema, model.bytes, dir);
  const profile = buildProfile(insuranceSchema, rows, model.reference(rows), {
    fingerprint: compileSchema(insuranceSchema).fingerprint,
    backgroundRows: background,
  });
  await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
  return dir;
}

/** Runs both comparisons and prints their medians. */
export async function servedExplainCost(options: ServedOptions): Promise<void> {
  const { workDir, runs, requests, rows } = options;
  const record = JSON.stringify(rows[0]);
  const explaining = await modelDir(join(workDir, 'with-explain'), rows, 200);
  const plain = await modelDir(join(workDir, 'without-explain'), rows, 0);

  console.log(
    `\nserved (real HTTP, the service's own CPU from /proc; ${runs} runs of ${requests} requests; medians)`,
  );
  const withExplain = await startService({ workDir, name: 'explain-on', modelDir: explaining });
  try {
    const predictCpu: number[] = [];
    const explainCpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const p = await drive(withExplain, '/predict', record, requests, 1);
      const e = await drive(withExplain, '/explain', record, requests, 1);
      predictCpu.push((p.cpuSeconds * 1e6) / requests);
      explainCpu.push((e.cpuSeconds * 1e6) / requests);
    }
    const ratio = median(explainCpu) / median(predictCpu);
    console.log(
      `additive /explain: ${median(explainCpu).toFixed(0)} µs service CPU per request; /predict of the same record: ${median(predictCpu).toFixed(0)} µs; ${ratio.toFixed(2)}x (floor 2x: ${ratio <= 2 ? 'met' : 'MISSED'})`,
    );
  } finally {
    await withExplain.stop();
  }

  // Alternating services, one at a time on the machine, 8 connections each.
  const throughput = { on: [] as number[], off: [] as number[] };
  const cpu = { on: [] as number[], off: [] as number[] };
  for (let r = 0; r < runs; r++) {
    for (const mode of ['on', 'off'] as const) {
      const dir = mode === 'on' ? explaining : plain;
      const service = await startService({
        workDir,
        name: `predict-explain-${mode}`,
        modelDir: dir,
      });
      try {
        const run = await drive(service, '/predict', record, requests * 4, 8);
        throughput[mode].push((requests * 4) / (run.wallMs / 1000));
        cpu[mode].push((run.cpuSeconds * 1e6) / (requests * 4));
      } finally {
        await service.stop();
      }
    }
  }
  const change = median(throughput.on) / median(throughput.off) - 1;
  console.log(
    `/predict with explain support loaded: ${median(throughput.on).toFixed(0)} req/s, ${median(cpu.on).toFixed(0)} µs CPU/request; without: ${median(throughput.off).toFixed(0)} req/s, ${median(cpu.off).toFixed(0)} µs CPU/request (${(change * 100).toFixed(1)}% throughput)`,
  );
}
