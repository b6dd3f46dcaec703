// The messages between the primary process and its workers (WORKERS > 1), over Node's cluster
// IPC channel. Every message carries `modelship: 1` so that nothing else on the channel (Node's
// own cluster messages are filtered out before `message` events; a library's are not) is taken
// for one of ours.
import type { LifecycleState } from '../readiness.ts';

/** What the primary can collect from every serving worker at once. */
export type GatherKind = 'metrics' | 'drift' | 'reload';

/** A model version's identity, as `/readyz` shows it. */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  readonly fingerprint: string;
}

/** A worker's lifecycle, as it reports it. */
export interface WorkerStatus {
  readonly state: LifecycleState;
  /** What its own `/readyz` would say (`ready`, or `draining` with SHUTDOWN_READINESS=keep). */
  readonly ready: boolean;
  readonly model: ModelIdentity;
}

/** The pod as the primary sees it, pushed to every worker on change (their `/readyz`). */
export interface PodStatus {
  /** Every worker slot holds a worker that reports ready. */
  readonly ready: boolean;
  /** The least advanced state over the slots (`starting` while one is empty or restarting). */
  readonly state: LifecycleState;
  /** Workers reporting ready, of `workers`. */
  readonly readyWorkers: number;
  readonly workers: number;
}

/** One worker's answer to a gather. */
export type WorkerAnswer =
  | { readonly worker: number; readonly pid: number; readonly payload: unknown }
  | { readonly worker: number; readonly pid: number; readonly error: string };

/** Worker → primary. */
export type WorkerMessage =
  | ({ readonly modelship: 1; readonly type: 'status' } & WorkerStatus)
  /** Asks the primary to gather `kind` from every serving worker (the asker included). */
  | {
      readonly modelship: 1;
      readonly type: 'gather';
      readonly id: number;
      readonly kind: GatherKind;
    }
  /** Answers a `collect`. */
  | {
      readonly modelship: 1;
      readonly type: 'collected';
      readonly id: number;
      readonly payload?: unknown;
      readonly error?: string;
    }
  | { readonly modelship: 1; readonly type: 'pong'; readonly id: number };

/** Primary → worker. */
export type PrimaryMessage =
  | {
      readonly modelship: 1;
      readonly type: 'collect';
      readonly id: number;
      readonly kind: GatherKind;
    }
  | {
      readonly modelship: 1;
      readonly type: 'gathered';
      readonly id: number;
      readonly answers: readonly WorkerAnswer[];
    }
  | ({ readonly modelship: 1; readonly type: 'pod' } & PodStatus)
  | { readonly modelship: 1; readonly type: 'ping'; readonly id: number };

/** True for a message of this protocol (the discriminant is `type`). */
export function isOurs<T extends WorkerMessage | PrimaryMessage>(message: unknown): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { modelship?: unknown }).modelship === 1 &&
    typeof (message as { type?: unknown }).type === 'string'
  );
}

/**
 * The worker's slot number (1..WORKERS), set by the primary in the environment of the process it
 * forks. Internal to the primary and its workers: not a setting (the contract has no such
 * variable) and stable across restarts of a slot, so that per-worker series keep their label.
 */
export const WORKER_SLOT_ENV = 'MODELSHIP_WORKER_SLOT';

/** How long the primary waits for the workers' answers, per kind (a reload loads a model). */
export const GATHER_TIMEOUT_MS: Readonly<Record<GatherKind, number>> = {
  metrics: 5_000,
  drift: 5_000,
  reload: 120_000,
};
