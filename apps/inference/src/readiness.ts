/**
 * The service's lifecycle:
 * - `starting`: the model is loaded and warming up; predictions are refused (503);
 * - `ready`: serving;
 * - `draining`: SIGTERM received; still serving, but `/readyz` fails so that the load
 *   balancer stops routing here (SHUTDOWN_DELAY);
 * - `stopping`: the listener is closed; requests already on open connections are still
 *   served, answered with `Connection: close`;
 * - `stopped`: in-flight work is finished; anything that still arrives is refused (503).
 */
export type LifecycleState = 'starting' | 'ready' | 'draining' | 'stopping' | 'stopped';

/** Shared, observable lifecycle state; the probes and the predict routes read it. */
export interface Readiness {
  readonly state: LifecycleState;
  /** True in `ready` (and in `draining` with `readyWhileDraining`): what `/readyz` reports. */
  readonly ready: boolean;
  /** True while predictions are served (`ready`, `draining`, `stopping`). */
  readonly serving: boolean;
  /** `starting` → `ready`; ignored once draining has begun. */
  markReady(): void;
  /** → `draining`; idempotent. */
  startDraining(): void;
  /** → `stopping` (from any earlier state); idempotent. */
  markStopping(): void;
  /** → `stopped`; idempotent. */
  markStopped(): void;
  /**
   * Calls `listener` after every change of state (not for calls that change nothing), e.g. to
   * report it to a primary process. Returns a function that removes it.
   */
  onChange(listener: (state: LifecycleState) => void): () => void;
}

/**
 * Creates the lifecycle state, initially `starting` (or `initial`). With `readyWhileDraining`
 * (SHUTDOWN_READINESS=keep), `/readyz` stays 200 while draining, until the listener closes.
 *
 * @example
 * const readiness = createReadiness();
 * await warmUp();
 * readiness.markReady();
 */
export function createReadiness(
  initial: LifecycleState = 'starting',
  options: { readonly readyWhileDraining?: boolean } = {},
): Readiness {
  let state = initial;
  const { readyWhileDraining = false } = options;
  const listeners = new Set<(state: LifecycleState) => void>();
  const set = (next: LifecycleState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener(next);
  };
  return {
    get state() {
      return state;
    },
    get ready() {
      return state === 'ready' || (readyWhileDraining && state === 'draining');
    },
    get serving() {
      return state === 'ready' || state === 'draining' || state === 'stopping';
    },
    markReady() {
      if (state === 'starting') set('ready');
    },
    startDraining() {
      if (state === 'starting' || state === 'ready') set('draining');
    },
    markStopping() {
      if (state !== 'stopped') set('stopping');
    },
    markStopped() {
      set('stopped');
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
