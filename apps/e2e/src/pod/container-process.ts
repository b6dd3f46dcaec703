import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killGroup, reaperGuard } from './reaper.ts';

/** How a container's main process is started on the host. */
export interface LaunchPlan {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** How a process ended. `at` is `Date.now()` at exit. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/** A running container process with its output captured in files. */
export interface ContainerProcess {
  readonly name: string;
  readonly plan: LaunchPlan;
  readonly pid: number;
  readonly startedAt: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** The exit, once it happened. */
  readonly exit: ProcessExit | undefined;
  /** Sends a signal to the main process; SIGKILL kills the whole group (no-op after exit). */
  signal(signal: NodeJS.Signals): void;
  /** Everything the process wrote to stdout so far. */
  stdout(): Promise<string>;
  /** Everything the process wrote to stderr so far. */
  stderr(): Promise<string>;
}

/**
 * Starts a container's process with stdout and stderr going to files in `logDir`. Files, not
 * pipes: nginx's `access_log /dev/stdout` must open its stdout again, which works for a file
 * but not for the socket Node would give it.
 *
 * The process leads its own process group, standing in for the container: signals such as
 * the stop signal go to the main process (the container's PID 1), while SIGKILL and the main
 * process's exit take down the whole group (nginx's workers included), as the container
 * runtime does. Each group is guarded by the reaper ({@link reaperGuard}) until it is gone, so
 * that it is killed even when the test process itself is killed.
 */
export function startContainerProcess(
  name: string,
  plan: LaunchPlan,
  logDir: string,
): ContainerProcess {
  const outFile = join(logDir, `${name}.stdout.log`);
  const errFile = join(logDir, `${name}.stderr.log`);
  const out = openSync(outFile, 'a');
  const err = openSync(errFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(plan.command, [...plan.args], {
      env: { ...plan.env },
      cwd: plan.cwd,
      stdio: ['ignore', out, err],
      detached: true,
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const pid = child.pid ?? -1;
  if (pid > 0) reaperGuard.group(pid);
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() };
      // The container ends with its main process: nothing of it may outlive it.
      if (pid > 0) {
        killGroup(pid);
        reaperGuard.releaseGroup(pid);
      }
      resolve(exit);
    });
    child.once('error', () => {
      exit = { code: -1, signal: null, at: Date.now() };
      resolve(exit);
    });
  });
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  return {
    name,
    plan,
    pid,
    startedAt: Date.now(),
    exited,
    get exit() {
      return exit;
    },
    signal(signal) {
      if (exit !== undefined) return;
      if (signal === 'SIGKILL' && pid > 0) killGroup(pid);
      else child.kill(signal);
    },
    stdout: () => read(outFile),
    stderr: () => read(errFile),
  };
}
