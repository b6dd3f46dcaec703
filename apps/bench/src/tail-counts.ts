/**
 * What happens around a lone request, counted rather than timed (counts do not move with the
 * machine's load, latencies do): `pnpm --filter @modelship/bench run tail-counts -- --build
 * name=path [node flags] ... [--requests 3000] [--warmup 4000] [--rounds 2]`. Each build is
 * started directly (LOG_LEVEL=info, `--trace-gc --trace-opt --trace-deopt` added), warmed with
 * one keep-alive connection, and then, on that same connection, `--requests` requests are sent
 * one after another while `strace -f` records the process's system calls. Per 1,000 requests:
 * event-loop turns (`epoll_pwait`, and those that did not block), wake-ups of another thread by
 * the main thread (`FUTEX_WAKE`), system calls of the other threads, log block writes, scavenges,
 * optimizations and deoptimizations.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseBuilds } from './ab.ts';
import { countFlags, OptionsError, runCommand } from './config.ts';
import { benchBodies } from './records.ts';
import { startService } from './stacks.ts';
import { median } from './stats.ts';

/** Counts over one window, per 1,000 requests. */
export interface TailCounts {
  readonly loopTurns: number;
  readonly nonBlockingTurns: number;
  readonly threadWakes: number;
  readonly otherThreadSyscalls: number;
  readonly writes: number;
  readonly scavenges: number;
  readonly optimizations: number;
  readonly deoptimizations: number;
}

/**
 * Counts one window from `strace -f` output of process `pid` and the lines the process printed
 * during it (V8's traces), over `requests` requests.
 */
export function countWindow(
  trace: string,
  printed: string,
  pid: number,
  requests: number,
): TailCounts {
  let turns = 0;
  let nonBlocking = 0;
  let wakes = 0;
  let others = 0;
  let writes = 0;
  for (const line of trace.split('\n')) {
    // `strace -f -o` lines: the thread id, spaces, the call.
    const parsed = /^(\d+)\s+(.*)$/.exec(line);
    if (!parsed || line.includes('resumed>')) continue;
    const call = parsed[2] as string;
    if (Number(parsed[1]) !== pid) {
      others += 1;
      continue;
    }
    if (call.startsWith('epoll_pwait(')) {
      turns += 1;
      if (/, 0, NULL/.test(call)) nonBlocking += 1;
    } else if (call.startsWith('futex(') && call.includes('FUTEX_WAKE')) wakes += 1;
    // Log blocks, not V8's trace lines (short writes to the same stdout).
    else if (call.startsWith('write(1,') && Number(/, (\d+)\) += /.exec(call)?.[1]) >= 1024)
      writes += 1;
  }
  const count = (pattern: RegExp) => printed.split('\n').filter((l) => pattern.test(l)).length;
  const per = (n: number) => (n * 1000) / requests;
  return {
    loopTurns: per(turns),
    nonBlockingTurns: per(nonBlocking),
    threadWakes: per(wakes),
    otherThreadSyscalls: per(others),
    writes: per(writes),
    scavenges: per(count(/Scavenge/)),
    optimizations: per(count(/completed optimizing/)),
    deoptimizations: per(count(/bailout \(kind/)),
  };
}

/** Sends `n` POSTs one after another (on one of `agent`'s connections). */
export async function sendSequentially(
  url: string,
  body: string,
  agent: Agent,
  n: number,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    if (status !== 200) throw new Error(`${url} answered ${status}`);
  }
}

/** Options of {@link measureTailCounts}. */
export interface TailCountOptions {
  readonly entry: string;
  readonly nodeArgs: readonly string[];
  readonly requests: number;
  readonly warmup: number;
  readonly workDir: string;
  readonly name: string;
}

/** Starts one build, warms it, and counts one window (see the module's comment). */
export async function measureTailCounts(options: TailCountOptions): Promise<TailCounts> {
  const service = await startService({
    workDir: options.workDir,
    name: options.name,
    entry: options.entry,
    nodeArgs: ['--trace-gc', '--trace-opt', '--trace-deopt', ...options.nodeArgs],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = `${service.url}/predict`;
    const body = benchBodies().one;
    const [managed] = service.app;
    if (!managed) throw new Error('no service process');
    await sendSequentially(url, body, agent, options.warmup);
    const before = (await readFile(managed.logFile, 'utf8')).length;
    const traceFile = join(options.workDir, `${options.name}.strace`);
    const traced = ['-f', '-qq', '-o', traceFile, '-e', 'trace=epoll_pwait,futex,write'];
    const strace = spawn('strace', [...traced, '-p', String(managed.pid)], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sendSequentially(url, body, agent, options.requests);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = new Promise((resolve) => strace.once('exit', resolve));
    strace.kill('SIGINT');
    await stopped;
    const printed = (await readFile(managed.logFile, 'utf8')).slice(before);
    return countWindow(await readFile(traceFile, 'utf8'), printed, managed.pid, options.requests);
  } finally {
    agent.destroy();
    await service.stop();
  }
}

const usage = `Usage: pnpm --filter @modelship/bench run tail-counts -- --build name=path [node flags] ... [options]

  --build name=path   a service build (repeatable), e.g. --build now=apps/inference/dist/server.js
  --requests N        requests in the counted window (default 3000)
  --warmup N          requests before it, on the same connection (default 4000)
  --rounds N          windows per build, builds interleaved; medians are printed (default 2)

Needs strace. Example:
  pnpm --filter @modelship/bench run tail-counts -- --build now=apps/inference/dist/server.js \\
    --build 'single=apps/inference/dist/server.js --single-threaded-gc'`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      build: { type: 'string', multiple: true },
      requests: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '4000' },
      rounds: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const builds = parseBuilds(values.build ?? []);
  const [requests, warmup, rounds] = countFlags(values, ['requests', 'warmup', 'rounds']);
  await new Promise<void>((resolve, reject) =>
    execFile('strace', ['-V'], (error) =>
      error
        ? reject(new OptionsError('strace is not installed (apt-get install strace)'))
        : resolve(),
    ),
  );
  const workDir = await mkdtemp(join(tmpdir(), 'tail-counts-'));
  try {
    const results = new Map<string, TailCounts[]>();
    for (let round = 0; round < (rounds as number); round++) {
      for (const build of builds) {
        const counts = await measureTailCounts({
          entry: build.entry,
          nodeArgs: build.nodeArgs,
          requests: requests as number,
          warmup: warmup as number,
          workDir,
          name: `${build.name}-${round}`,
        });
        results.set(build.name, [...(results.get(build.name) ?? []), counts]);
        console.error(`round ${round + 1} ${build.name}: ${JSON.stringify(counts)}`);
      }
    }
    const keys = Object.keys(results.values().next().value?.[0] ?? {}) as (keyof TailCounts)[];
    console.log(
      `per 1,000 requests at one connection (medians of ${rounds} windows of ${requests})`,
    );
    console.log(['build', ...keys].join('\t'));
    for (const [name, runs] of results) {
      console.log([name, ...keys.map((k) => median(runs.map((r) => r[k])).toFixed(1))].join('\t'));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await runCommand(import.meta.url, 'tail-counts', usage, main);
