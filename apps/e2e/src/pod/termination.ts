import { spawn } from 'node:child_process';
import type { ContainerProcess, ProcessExit } from './container-process.ts';
import type { PathMap } from './path-map.ts';
import { killGroup, reaperGuard } from './reaper.ts';

/** One container in the termination sequence. */
export interface TerminatingContainer {
  readonly process: ContainerProcess;
  /** The preStop exec command from the spec, if any. */
  readonly preStop?: readonly string[];
  /** The signal sent once the preStop hook is done (the image's STOPSIGNAL). */
  readonly stopSignal: NodeJS.Signals;
  /** The container's path map (a hook's absolute paths are container paths). */
  readonly paths: PathMap;
}

/** What happened to one container, times in ms since the termination began. */
export interface ContainerTermination {
  readonly name: string;
  readonly preStop?: {
    readonly command: readonly string[];
    readonly exitCode: number | null;
    readonly doneAtMs: number;
  };
  readonly signal: NodeJS.Signals;
  readonly signalledAtMs: number;
  readonly exit: ProcessExit;
  readonly exitedAtMs: number;
  /** True when the grace period ran out and the container got SIGKILL. */
  readonly killed: boolean;
}

/** The whole termination, as the kubelet would have run it. */
export interface TerminationReport {
  readonly startedAt: number;
  readonly gracePeriodMs: number;
  readonly containers: readonly ContainerTermination[];
}

/**
 * Runs a preStop hook as a local process in its own group (guarded by the reaper like a
 * container), killed at the deadline or when `abort` fires (the pod is being stopped).
 */
const runHook = (
  command: readonly string[],
  paths: PathMap,
  deadline: number,
  abort: AbortSignal | undefined,
) =>
  new Promise<number | null>((resolve) => {
    const [file, ...args] = command.map((part) => paths.mapPath(part));
    if (file === undefined || abort?.aborted) return resolve(null);
    const hook = spawn(file, args, { stdio: 'ignore', detached: true });
    const pid = hook.pid ?? -1;
    if (pid > 0) reaperGuard.group(pid);
    const kill = () => {
      if (pid > 0) killGroup(pid);
    };
    const timer = setTimeout(kill, Math.max(0, deadline - Date.now()));
    abort?.addEventListener('abort', kill, { once: true });
    const done = (code: number | null) => {
      clearTimeout(timer);
      abort?.removeEventListener('abort', kill);
      if (pid > 0) {
        killGroup(pid);
        reaperGuard.releaseGroup(pid);
      }
      resolve(code);
    };
    hook.once('error', () => done(-1));
    hook.once('exit', (code) => done(code));
  });

/** Options of {@link terminatePod}. */
export interface TerminatePodOptions {
  /** Aborts the sequence: running preStop hooks are killed (the pod is being torn down). */
  readonly signal?: AbortSignal;
}

/**
 * Terminates a pod's containers as the kubelet does on pod deletion, all at once: each
 * container's preStop hook runs (here: as a local process, e.g. `sleep 15`), and when its hook
 * is done the container gets its stop signal; a container without a hook gets it at once.
 * Whatever is still running when `terminationGracePeriodSeconds` ends gets SIGKILL.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
export async function terminatePod(
  containers: readonly TerminatingContainer[],
  gracePeriodSeconds: number,
  options: TerminatePodOptions = {},
): Promise<TerminationReport> {
  const startedAt = Date.now();
  const gracePeriodMs = gracePeriodSeconds * 1000;
  const deadline = startedAt + gracePeriodMs;
  const since = (at: number) => at - startedAt;

  const one = async (container: TerminatingContainer): Promise<ContainerTermination> => {
    const { process, preStop, stopSignal, paths } = container;
    let hook: ContainerTermination['preStop'];
    if (preStop) {
      const exitCode = await runHook(preStop, paths, deadline, options.signal);
      hook = { command: preStop, exitCode, doneAtMs: since(Date.now()) };
    }
    const signalledAt = Date.now();
    process.signal(stopSignal);
    let killed = false;
    const killer = setTimeout(
      () => {
        if (process.exit === undefined) {
          killed = true;
          process.signal('SIGKILL');
        }
      },
      Math.max(0, deadline - Date.now()),
    );
    const exit = await process.exited;
    clearTimeout(killer);
    return {
      name: process.name,
      ...(hook ? { preStop: hook } : {}),
      signal: stopSignal,
      signalledAtMs: since(signalledAt),
      exit,
      exitedAtMs: since(exit.at),
      killed,
    };
  };

  return { startedAt, gracePeriodMs, containers: await Promise.all(containers.map(one)) };
}
