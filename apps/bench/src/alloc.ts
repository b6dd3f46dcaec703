/**
 * Bytes allocated per request, counted (counts do not move with the machine's load):
 * `pnpm --filter @modelship/bench run alloc -- --build name=path [node flags] ...
 * [--connections 1] [--requests 3000] [--warmup 4000]`. Each build is started directly with
 * `--trace-gc` and `alloc-preload.mjs` (V8's sampling heap profiler over `node:inspector` in the
 * service's own process, objects collected by either GC kept, 128-byte interval), warmed, then
 * profiled over `--requests` requests on `--connections` keep-alive connections. Prints KB
 * allocated per request, scavenges per 1,000 requests and the top allocating functions.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type AbBuild, BUILD_HELP, BUILD_OPTION, parseBuilds } from './ab.ts';
import {
  allocationByFunction,
  allocationReport,
  type HeapProfile,
  type Locate,
} from './alloc-profile.ts';
import { countFlags, OptionsError, runCommand } from './config.ts';
import { benchBodies } from './records.ts';
import { startService } from './stacks.ts';
import { countWindow, sendSequentially } from './tail-counts.ts';

const preload = fileURLToPath(new URL('./alloc-preload.mjs', import.meta.url));

/** Sends `requests` POSTs over `connections` keep-alive connections, each one after another. */
export async function load(url: string, body: string, connections: number, requests: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  try {
    await Promise.all(
      Array.from({ length: connections }, (_, i) => {
        const share = Math.floor(requests / connections) + (i < requests % connections ? 1 : 0);
        return sendSequentially(url, body, agent, share);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * Names frames of the bundle `entry` by their source file and line, through its source map
 * (`entry.map`, when there is one: the build minifies whitespace, so the bundle's own lines say
 * nothing).
 */
async function bundleLocator(entry: string): Promise<Locate> {
  let map: SourceMap;
  try {
    map = new SourceMap(JSON.parse(await readFile(`${entry}.map`, 'utf8')));
  } catch {
    return () => undefined;
  }
  const url = pathToFileURL(entry).href;
  return (frame) => {
    if (frame.url !== url) return undefined;
    const found = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!('originalSource' in found)) return undefined;
    const source = found.originalSource.replace(/^(?:\.\.\/)+/, '');
    return `${source}:${found.originalLine + 1}`;
  };
}

/** Waits until `file` holds `text` after offset `from` (the preload's markers). */
async function waitFor(file: string, text: string, from: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await readFile(file, 'utf8')).slice(from).includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Options of {@link measureAllocation}. */
export interface AllocOptions {
  readonly build: AbBuild;
  readonly connections: number;
  readonly requests: number;
  readonly warmup: number;
  readonly workDir: string;
  /** Where to keep the raw profile (`.heapprofile`, opens in Chrome's DevTools). */
  readonly save?: string | undefined;
}

/** Profiles one build's allocation (see the module's comment). */
export async function measureAllocation(options: AllocOptions) {
  const { build, connections, requests } = options;
  const service = await startService({
    workDir: options.workDir,
    name: build.name,
    entry: build.entry,
    nodeArgs: ['--trace-gc', '--import', preload, ...build.nodeArgs],
  });
  try {
    const [managed] = service.app;
    if (!managed) throw new Error('no service process');
    const url = `${service.url}/predict`;
    const body = benchBodies().one;
    await load(url, body, connections, options.warmup);
    const before = (await readFile(managed.logFile, 'utf8')).length;
    process.kill(managed.pid, 'SIGUSR2');
    await waitFor(managed.logFile, 'alloc: sampling', before);
    await load(url, body, connections, requests);
    process.kill(managed.pid, 'SIGUSR2');
    await waitFor(managed.logFile, 'alloc: written', before);
    const printed = (await readFile(managed.logFile, 'utf8')).slice(before);
    const file = join(tmpdir(), `alloc-${managed.pid}.heapprofile`);
    const profile = JSON.parse(await readFile(file, 'utf8')) as HeapProfile;
    if (options.save !== undefined) await copyFile(file, options.save);
    await rm(file, { force: true });
    return {
      allocation: allocationByFunction(profile, await bundleLocator(build.entry)),
      scavengesPer1000: countWindow('', printed, managed.pid, requests).scavenges,
    };
  } finally {
    await service.stop();
  }
}

const usage = `Usage: pnpm --filter @modelship/bench run alloc -- --build name=path [node flags] ... [options]

Bytes allocated per request (V8's sampling heap profiler in the service) and scavenges per 1,000
requests (--trace-gc), with the functions that allocate most, for each build served directly.

${BUILD_HELP}
  --connections N            keep-alive connections, each sending one request after another (1)
  --requests N               requests profiled (3000)
  --warmup N                 requests before the profiled ones (4000)
  --top N                    functions listed (15)
  --save PREFIX              keep each build's raw profile as PREFIX<name>.heapprofile (Chrome DevTools opens it)
  -h, --help                 this text

Example:
  pnpm --filter @modelship/bench run alloc -- --build now=apps/inference/dist/server.js --connections 32`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      build: BUILD_OPTION,
      connections: { type: 'string', default: '1' },
      requests: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '4000' },
      top: { type: 'string', default: '15' },
      save: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const builds = parseBuilds(values.build);
  const [connections, requests, warmup, top] = countFlags(values, [
    'connections',
    'requests',
    'warmup',
    'top',
  ]) as [number, number, number, number];
  if (requests < connections)
    throw new OptionsError(`--requests (${requests}) must be >= --connections (${connections})`);
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-alloc-'));
  try {
    for (const build of builds) {
      const save =
        values.save === undefined ? undefined : `${values.save}${build.name}.heapprofile`;
      const measured = await measureAllocation({
        build,
        connections,
        requests,
        warmup,
        workDir,
        save,
      });
      console.log(`\n${build.name}: c=${connections}, ${requests} requests after ${warmup}`);
      console.log(allocationReport(measured.allocation, requests, measured.scavengesPer1000, top));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await runCommand(import.meta.url, 'alloc', usage, main);
