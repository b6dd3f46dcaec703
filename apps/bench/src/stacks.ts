import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { DEFAULT_RESOURCES, nginxWorkersFor, renderNginxConf } from '@modelship/k8s';
import { freePort, type Managed, startProcess, waitForHttp } from '@modelship/testkit';
import { inheritedEnv } from './config.ts';
import { startNginx } from './nginx.ts';
import { benchDir, serviceEntry } from './paths.ts';

/** A running server (and, for proxied stacks, its nginx). */
export interface Running {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Processes whose trees make up the application server (memory sampling). */
  readonly app: readonly Managed[];
  /** The proxy in front, if any. */
  readonly proxy?: Managed;
  /** With a proxy in front: the application server's own base URL, behind the proxy. */
  readonly directUrl?: string;
  /** Milliseconds from spawning the application server to its first 200 on the ready check. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** Options shared by every stack starter. */
export interface StackOptions {
  /** Scratch directory for logs, prefixes and scripts. */
  readonly workDir: string;
  /** Name prefix for logs (unique per instance). */
  readonly name: string;
}

/** Stops processes in order (the proxy before its upstream). */
export async function stopAllOf(...processes: (Managed | undefined)[]): Promise<void> {
  for (const p of processes) await p?.stop();
}

/** Options for {@link startService}. */
export interface ServiceOptions extends StackOptions {
  /** Model directory; the bundled model when omitted. */
  readonly modelDir?: string;
  /** `BATCHING=on|off`. @default 'on' */
  readonly batching?: 'on' | 'off';
  /** Extra node flags, e.g. `--cpu-prof`. @default [] */
  readonly nodeArgs?: readonly string[];
  /** `LOG_LEVEL`. @default 'info' (as in the pod) */
  readonly logLevel?: string;
  /** The service's entry file. @default apps/inference/dist/server.js */
  readonly entry?: string;
  /**
   * A command that runs node (its arguments, then node's), e.g. `valgrind --tool=callgrind`;
   * readiness is then awaited for up to 5 minutes. @default none (node itself)
   */
  readonly wrapper?: readonly string[];
}

/**
 * Starts the built inference service (`apps/inference/dist/server.js`) on a free loopback
 * port with the pod's settings and waits for `/readyz`.
 */
export async function startService(options: ServiceOptions): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    BATCHING: options.batching ?? 'on',
    LOG_LEVEL: options.logLevel ?? 'info',
    SHUTDOWN_DELAY: '0',
  };
  if (options.modelDir) env.MODEL_DIR = options.modelDir;
  const [command = process.execPath, ...wrapperArgs] = [
    ...(options.wrapper ?? []),
    ...(options.wrapper ? [process.execPath] : []),
  ];
  const service = startProcess({
    name: options.name,
    command,
    args: [...wrapperArgs, ...(options.nodeArgs ?? []), options.entry ?? serviceEntry],
    env,
    logDir: options.workDir,
  });
  const url = `http://127.0.0.1:${port}`;
  const readyAt = await waitForHttp({
    url: `${url}/readyz`,
    process: service,
    ...(options.wrapper ? { timeoutMs: 300_000 } : {}),
  });
  return {
    url,
    app: [service],
    readyMs: readyAt - service.startedAt,
    stop: () => stopAllOf(service),
  };
}

/** Options for {@link startServiceConstant}. */
export interface ServiceConstantOptions extends StackOptions {
  /** The model the service loads (and never runs per request). @default the bundled model */
  readonly modelDir?: string;
}

/**
 * Starts the Node ceiling that the floor is measured against: the inference service's own
 * stack (`startService` from @modelship/inference, every middleware, the pod's settings)
 * with `/predict` answering a constant (`src/service-constant-server.ts`), on a free
 * loopback port, and waits for `/readyz`.
 */
export async function startServiceConstant(options: ServiceConstantOptions): Promise<Running> {
  const port = await freePort();
  const server = startProcess({
    name: options.name,
    command: process.execPath,
    args: ['--import', 'tsx', join(benchDir, 'src/service-constant-server.ts')],
    env: {
      ...inheritedEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY: '0',
      MODEL_DIR: options.modelDir ?? insuranceModelDir,
    },
    cwd: benchDir,
    logDir: options.workDir,
  });
  const url = `http://127.0.0.1:${port}`;
  const readyAt = await waitForHttp({ url: `${url}/readyz`, process: server });
  return { url, app: [server], readyMs: readyAt - server.startedAt, stop: () => stopAllOf(server) };
}

/**
 * Starts the informational "bare Hono" ceiling: a plain Hono app on @hono/node-server that
 * parses the body and answers a constant, with none of the service's middleware.
 */
export async function startConstantServer(options: StackOptions): Promise<Running> {
  const port = await freePort();
  const server = startProcess({
    name: options.name,
    command: process.execPath,
    args: ['--import', 'tsx', join(benchDir, 'src/constant-server.ts'), '--port', String(port)],
    env: { ...inheritedEnv(), NODE_ENV: 'production' },
    cwd: benchDir,
    logDir: options.workDir,
  });
  const url = `http://127.0.0.1:${port}`;
  const readyAt = await waitForHttp({ url: `${url}/readyz`, process: server });
  return { url, app: [server], readyMs: readyAt - server.startedAt, stop: () => stopAllOf(server) };
}

/**
 * Puts the shipped nginx config (`renderNginxConf` from @modelship/k8s) in front of a running
 * server. Only the listen ports (public and metrics), the upstream port and the writable
 * directory (pid, temp paths) differ from the pod; everything else is the generated file as
 * shipped, with the workers the pod's default nginx CPU limit gets (`workers` overrides them).
 */
export async function withShippedNginx(
  server: Running,
  options: StackOptions,
  workers = nginxWorkersFor(DEFAULT_RESOURCES.nginx.limits.cpuMillis),
  binary?: string,
): Promise<Running> {
  const listenPort = await freePort();
  const upstreamPort = Number(new URL(server.url).port);
  const prefix = join(options.workDir, options.name);
  const metricsPort = await freePort();
  const conf = renderNginxConf({
    listenPort,
    metricsPort,
    upstreamPort,
    tempDir: prefix,
    workerProcesses: workers,
  });
  const nginx = await startNginx({
    name: options.name,
    conf,
    workDir: options.workDir,
    ...(binary ? { binary } : {}),
  });
  const url = `http://127.0.0.1:${listenPort}`;
  await waitForHttp({ url: `${url}/nginx-health`, process: nginx });
  return {
    url,
    app: server.app,
    proxy: nginx,
    directUrl: server.url,
    readyMs: server.readyMs,
    stop: async () => {
      await nginx.stop();
      await server.stop();
    },
  };
}
