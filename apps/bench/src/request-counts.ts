/**
 * Work per request through the pod's nginx, counted (counts do not move with the machine's
 * load): `pnpm --filter @modelship/bench run counts -- --build name=path [node flags] ...
 * [--connections 1] [--requests N] [--warmup N] [--callgrind]`. Each build is served with the
 * shipped nginx.conf in front (one worker, as the pod's default CPU limit gets), warmed, then
 * `--requests` one-record `POST /predict` are sent on `--connections` keep-alive connections
 * while the nginx worker and the service are traced: system calls per request (`strace -c -f`,
 * by call), or with `--callgrind` instructions per request (both processes run under valgrind's
 * callgrind, zeroed before the window and dumped after it; valgrind serializes threads, so the
 * service's count includes its GC and libuv threads).
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { type AbBuild, BUILD_HELP, BUILD_OPTION, parseBuilds } from './ab.ts';
import { load } from './alloc.ts';
import { countFlags, OptionsError, runCommand } from './config.ts';
import { binaries } from './paths.ts';
import { benchBodies } from './records.ts';
import {
  callgrindInstructions,
  parseStraceSummary,
  type SyscallCounts,
} from './request-counts-parse.ts';
import { startService, withShippedNginx } from './stacks.ts';

const run = promisify(execFile);

/** The one worker of an nginx master (its only child process). */
async function nginxWorker(master: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const children = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8')).trim();
    const pids = children === '' ? [] : children.split(/\s+/).map(Number);
    if (pids.length === 1) return pids[0] as number;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx ${master}: not exactly one worker`);
}

/** Counts the system calls of `pids` (and their threads) while `window` runs. */
async function straceWindow(
  pids: readonly number[],
  dir: string,
  window: () => Promise<void>,
): Promise<SyscallCounts[]> {
  const tracers = pids.map((pid) => {
    const file = join(dir, `strace-${pid}.txt`);
    const child = spawn('strace', ['-c', '-f', '-o', file, '-p', String(pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const attached = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('attached')) resolve();
      });
      child.once('exit', () => reject(new Error(`strace -p ${pid} exited before attaching`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return { file, child, attached, exited };
  });
  await Promise.all(tracers.map((t) => t.attached));
  try {
    await window();
  } finally {
    for (const t of tracers) t.child.kill('SIGINT');
    await Promise.all(tracers.map((t) => t.exited));
  }
  return Promise.all(tracers.map(async (t) => parseStraceSummary(await readFile(t.file, 'utf8'))));
}

/** Runs `callgrind_control` on `pid`; valgrind names its control pipes after $HOST. */
async function callgrindControl(pid: number, command: '-z' | '-d', host: string | undefined) {
  const env = { ...process.env };
  if (host === undefined) delete env.HOST;
  else env.HOST = host;
  const { stdout } = await run('callgrind_control', [command, String(pid)], { env });
  if (!stdout.includes('OK.')) throw new Error(`callgrind_control ${command} ${pid}: ${stdout}`);
}

/** Instructions of `targets` while `window` runs (zeroed before, dumped after). */
async function callgrindWindow(
  targets: readonly { pid: number; host: string | undefined }[],
  dir: string,
  window: () => Promise<void>,
): Promise<number[]> {
  for (const t of targets) await callgrindControl(t.pid, '-z', t.host);
  await window();
  for (const t of targets) await callgrindControl(t.pid, '-d', t.host);
  const files = await readdir(dir);
  return Promise.all(
    targets.map(async ({ pid }) => {
      // Dumps are `cg.<pid>.<n>`: the last one is the window's.
      const dumps = files
        .filter((f) => f.startsWith(`cg.${pid}.`))
        .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
      const last = dumps.at(-1);
      if (last === undefined) throw new Error(`no callgrind dump of ${pid} in ${dir}`);
      return callgrindInstructions(await readFile(join(dir, last), 'utf8'));
    }),
  );
}

/** Options of {@link measureRequestCounts}. */
export interface RequestCountOptions {
  readonly build: AbBuild;
  readonly connections: number;
  readonly requests: number;
  readonly warmup: number;
  readonly callgrind: boolean;
  readonly workDir: string;
}

/** Per request, for nginx's worker and the service. */
export interface RequestCounts {
  readonly nginx: SyscallCounts | number;
  readonly service: SyscallCounts | number;
}

/** Serves one build behind the shipped nginx and counts one window (see the module's comment). */
export async function measureRequestCounts(options: RequestCountOptions): Promise<RequestCounts> {
  const { build, connections, requests, workDir } = options;
  const dumps = join(workDir, `cg-${build.name}`);
  await run('mkdir', ['-p', dumps]);
  // nginx's worker runs as an unprivileged user when the master is root: it writes its dumps.
  await chmod(dumps, 0o777);
  const valgrind = ['valgrind', '--tool=callgrind', `--callgrind-out-file=${dumps}/cg.%p`];
  let nginxBinary: string | undefined;
  if (options.callgrind) {
    nginxBinary = join(workDir, 'nginx-callgrind.sh');
    // One process (`master_process off`): valgrind's control pipes do not follow a fork.
    await writeFile(
      nginxBinary,
      [
        '#!/bin/bash',
        'args=()',
        `for a in "$@"; do [ "$a" = 'daemon off;' ] && a='daemon off; master_process off;'; args+=("$a"); done`,
        `exec ${valgrind.join(' ')} ${binaries.nginx} "\${args[@]}"`,
        '',
      ].join('\n'),
    );
    await chmod(nginxBinary, 0o755);
  }
  const service = await startService({
    workDir,
    name: build.name,
    entry: build.entry,
    nodeArgs: build.nodeArgs,
    ...(options.callgrind ? { wrapper: [...valgrind, '--smc-check=all-non-file'] } : {}),
  });
  const stack = await withShippedNginx(
    service,
    { workDir, name: `${build.name}-nginx` },
    1,
    nginxBinary,
  );
  try {
    const [managed] = service.app;
    if (!managed || !stack.proxy) throw new Error('no service or nginx process');
    const worker = options.callgrind ? stack.proxy.pid : await nginxWorker(stack.proxy.pid);
    const url = `${stack.url}/predict`;
    const body = benchBodies().one;
    await load(url, body, connections, options.warmup);
    const window = () => load(url, body, connections, requests);
    if (options.callgrind) {
      const [nginx, svc] = await callgrindWindow(
        [
          { pid: worker, host: process.env.HOST },
          { pid: managed.pid, host: '127.0.0.1' },
        ],
        dumps,
        window,
      );
      return { nginx: (nginx as number) / requests, service: (svc as number) / requests };
    }
    const [nginx, svc] = await straceWindow([worker, managed.pid], workDir, window);
    return { nginx: nginx as SyscallCounts, service: svc as SyscallCounts };
  } finally {
    await stack.stop();
  }
}

/** `calls per request: name n, ...` for the calls made at least once per 20 requests. */
export function syscallReport(counts: SyscallCounts, requests: number): string {
  const per = (n: number) => (n / requests).toFixed(2);
  const names = [...counts.byName]
    .filter(([, n]) => n / requests >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${per(n)}`);
  return `${per(counts.total)} system calls per request (${names.join(', ')})`;
}

const usage = `Usage: pnpm --filter @modelship/bench run counts -- --build name=path [node flags] ... [options]

Work per request of nginx's worker and the service, each build behind the shipped nginx.conf
(one worker): system calls (strace -c -f), or instructions with --callgrind (both under valgrind).

${BUILD_HELP}
  --connections N            keep-alive connections, each sending one request after another (1)
  --requests N               requests counted (5000; 1000 with --callgrind)
  --warmup N                 requests before the counted ones (5000; 2000 with --callgrind)
  --callgrind                instructions (valgrind --tool=callgrind) instead of system calls
  -h, --help                 this text

Example:
  pnpm --filter @modelship/bench run counts -- --build now=apps/inference/dist/server.js --connections 32`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      build: BUILD_OPTION,
      connections: { type: 'string', default: '1' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      callgrind: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const callgrind = values.callgrind;
  const builds = parseBuilds(values.build);
  const given = {
    connections: values.connections,
    requests: values.requests ?? (callgrind ? '1000' : '5000'),
    warmup: values.warmup ?? (callgrind ? '2000' : '5000'),
  };
  const [connections, requests, warmup] = countFlags(given, [
    'connections',
    'requests',
    'warmup',
  ]) as [number, number, number];
  if (requests < connections)
    throw new OptionsError(`--requests (${requests}) must be >= --connections (${connections})`);
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-counts-'));
  try {
    for (const build of builds) {
      const counts = await measureRequestCounts({
        build,
        connections,
        requests,
        warmup,
        callgrind,
        workDir,
      });
      console.log(`\n${build.name}: c=${connections}, ${requests} requests after ${warmup}`);
      for (const [who, c] of [
        ['nginx worker', counts.nginx],
        ['service', counts.service],
      ] as const) {
        console.log(
          typeof c === 'number'
            ? `${who}: ${Math.round(c).toLocaleString('en')} instructions per request`
            : `${who}: ${syscallReport(c, requests)}`,
        );
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await runCommand(import.meta.url, 'counts', usage, main);
