import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binaries } from './paths.ts';

const run = promisify(execFile);

/** One wrk run's figures; latencies in milliseconds. */
export interface LoadResult {
  readonly requests: number;
  readonly durationS: number;
  readonly requestsPerSec: number;
  readonly latencyMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Socket errors and timeouts, and responses with a status >= 400 (`status`). */
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    readonly timeout: number;
    readonly status: number;
  };
}

/** Marker of the JSON line the Lua `done` hook prints. */
const marker = 'WRK_RESULT ';

/**
 * The Lua script wrk runs: a fixed POST body, and a `done` hook that prints the summary as
 * one JSON line (microseconds, as wrk measures them). No per-response hook: it would make
 * wrk hand every response to Lua and cost the load generator CPU that the servers need.
 */
export function wrkScript(body: string): string {
  if (body.includes(']==]')) throw new Error('body contains the Lua long-bracket terminator');
  return `wrk.method = "POST"
wrk.body = [==[${body}]==]
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '${marker}{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

/** Parses the line printed by {@link wrkScript}'s `done` hook out of wrk's stdout. */
export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(marker));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout}`);
  const raw = JSON.parse(line.slice(marker.length)) as Record<string, number>;
  const get = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`wrk result lacks "${key}": ${line}`);
    }
    return value;
  };
  const durationS = get('durationUs') / 1e6;
  return {
    requests: get('requests'),
    durationS,
    requestsPerSec: durationS > 0 ? get('requests') / durationS : 0,
    latencyMs: {
      mean: get('mean') / 1000,
      p50: get('p50') / 1000,
      p90: get('p90') / 1000,
      p99: get('p99') / 1000,
      max: get('max') / 1000,
    },
    errors: {
      connect: get('connect'),
      read: get('read'),
      write: get('write'),
      timeout: get('timeout'),
      status: get('status'),
    },
  };
}

/** Options for {@link runWrk}. */
export interface WrkOptions {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  readonly durationS: number;
  /** @default 1 (capped by `connections`) */
  readonly threads?: number;
  /** Requests slower than this count as timeouts. @default 10 */
  readonly timeoutS?: number;
  /** Directory for the Lua script. */
  readonly scratchDir: string;
}

let scriptCounter = 0;

/** Runs wrk once against `url` with a POST body and returns its figures. */
export async function runWrk(options: WrkOptions): Promise<LoadResult> {
  scriptCounter += 1;
  const script = join(options.scratchDir, `wrk-${scriptCounter}.lua`);
  await writeFile(script, wrkScript(options.body));
  const threads = Math.max(1, Math.min(options.threads ?? 1, options.connections));
  const { stdout } = await run(
    binaries.wrk,
    [
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.durationS}s`,
      `--timeout`,
      `${options.timeoutS ?? 10}s`,
      '-s',
      script,
      options.url,
    ],
    { maxBuffer: 1 << 20 },
  );
  return parseWrkOutput(stdout);
}
