// Starts `node <script>` as a child process on a free loopback port and stops it with a
// signal: the local service (from the workspace) and the production bundle (on its own).
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitUntilReady } from './http.ts';

/** Options of {@link startNodeService}. */
export interface NodeServiceOptions {
  /** Working directory; the script path is relative to it. */
  readonly cwd: string;
  /** @default 'dist/server.js' */
  readonly script?: string;
  /**
   * The process's whole environment besides PORT and HOST (nothing is inherited, so no
   * NODE_PATH or NODE_OPTIONS of the test run leaks in). @default { PATH }
   */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 60000 */
  readonly readyTimeoutMs?: number;
}

/** A started service: where it listens, what it printed, and how to stop it. */
export interface NodeService {
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and resolves with how the process ended (SIGKILL after `timeoutMs`). */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: string | null }>;
}

/** Starts the service and resolves once `/readyz` answers 200; rejects with its output otherwise. */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const { cwd, script = 'dist/server.js', readyTimeoutMs = 60_000 } = options;
  const env = options.env ?? { PATH: process.env.PATH };
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const service: NodeService = {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  try {
    await waitUntilReady(service.baseUrl, {
      timeoutMs: readyTimeoutMs,
      check: () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`exited with ${child.exitCode ?? child.signalCode} before ready`);
        }
      },
    });
  } catch (error) {
    await service.stop('SIGKILL');
    throw new Error(`${script} in ${cwd}: ${(error as Error).message}\n${output}`);
  }
  return service;
}
