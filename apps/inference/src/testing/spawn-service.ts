// Test helper: runs the service as a real child process (src/index.ts through tsx's loader,
// so no build is needed), on a free port on 127.0.0.1, and exposes its JSON log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
const cwd = fileURLToPath(new URL('../..', import.meta.url));

/** A running (or exited) service process. */
export interface SpawnedService {
  readonly child: ChildProcess;
  /** Every stdout line, parsed (non-JSON lines kept as `{ raw }`). */
  readonly lines: Record<string, unknown>[];
  /** stderr, for diagnostics. */
  readonly stderr: () => string;
  /** Resolves with the port once the service listens; rejects if it exits first. */
  readonly listening: Promise<number>;
  /** The operational listener's port, known once `listening` resolves. */
  readonly opsPort: () => number | undefined;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** Starts `src/index.ts` with `env` added to a minimal environment (PORT and OPS_PORT 0, HOST 127.0.0.1). */
export function spawnService(env: Record<string, string>): SpawnedService {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', OPS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buffered = '';
  let onPort: (port: number) => void = () => {};
  let opsPort: number | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    onPort = resolve;
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before listening`)));
  });
  listening.catch(() => {});
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      if (!part) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(part);
      } catch {
        line = { raw: part };
      }
      lines.push(line);
      if (typeof line.port === 'number' && String(line.message).startsWith('operational')) {
        opsPort = line.port;
      }
      if (typeof line.port === 'number' && String(line.message).startsWith('listening')) {
        onPort(line.port);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, lines, stderr: () => err, listening, opsPort: () => opsPort, exited };
}
