import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link startProcess}. */
export interface StartOptions {
  /** Short name used in log file names and error messages. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Directory for `<name>.log` (stdout and stderr of the process). */
  readonly logDir: string;
  /** Signal that stops the process gracefully. @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals;
}

/** A child process the harness started and will stop. */
export interface Managed {
  readonly name: string;
  readonly pid: number;
  /** `performance.now()` just before spawning. */
  readonly startedAt: number;
  readonly logFile: string;
  /** Rejects when the process exits before {@link Managed.stop} was called. */
  readonly exited: Promise<never>;
  /** Resolves when the process has exited, however (stopped or not), with how it ended. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the stop signal, waits up to 10 s, then SIGKILL. */
  stop(): Promise<void>;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
}

const running = new Set<Managed>();

/** Starts a process with its output in a log file; it is stopped by {@link stopAll} on exit. */
export function startProcess(options: StartOptions): Managed {
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const startedAt = performance.now();
  const child: ChildProcess = spawn(options.command, [...(options.args ?? [])], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', fd, fd],
  });
  let stopping = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const done = ended.then(() => {});
  const tail = (lines = 20): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) {
        reject(
          new Error(`${options.name} exited early (code ${code}, signal ${signal}):\n${tail()}`),
        );
      }
    });
    child.once('error', (error) => reject(new Error(`${options.name}: ${error.message}`)));
  });
  exited.catch(() => {});
  if (child.pid === undefined)
    throw new Error(`${options.name}: could not spawn ${options.command}`);
  const managed: Managed = {
    name: options.name,
    pid: child.pid,
    startedAt,
    logFile,
    exited,
    ended,
    tail,
    async stop() {
      running.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill(options.stopSignal ?? 'SIGTERM');
      const killed = await Promise.race([done.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await done;
      }
    },
  };
  running.add(managed);
  return managed;
}

/** Stops every process still running (called on exit and on errors). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}
