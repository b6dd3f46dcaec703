// A worker's side of the IPC channel to its primary (WORKERS > 1): it reports its lifecycle,
// answers the primary's collects and pings, and asks the primary to gather something from every
// worker (what the pod-wide routes answer: /metrics, /monitoring, /admin/reload).
import {
  GATHER_TIMEOUT_MS,
  type GatherKind,
  isOurs,
  type PodStatus,
  type PrimaryMessage,
  WORKER_SLOT_ENV,
  type WorkerAnswer,
  type WorkerMessage,
  type WorkerStatus,
} from './protocol.ts';

/**
 * This worker's slot, from the environment its primary forked it with (undefined when the
 * process was not forked by our primary).
 */
export function workerSlot(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const slot = Number(env[WORKER_SLOT_ENV]);
  return Number.isInteger(slot) && slot >= 1 ? slot : undefined;
}

/** What a worker answers when the primary collects `kind`. */
export type CollectHandlers = { readonly [K in GatherKind]: () => Promise<unknown> };

/** The worker's link to the primary and, through it, to the other workers. */
export interface PodLink {
  /** This worker's slot, 1..`workers`. */
  readonly worker: number;
  /** Worker processes in the pod (`WORKERS`). */
  readonly workers: number;
  /** The pod's readiness as the primary last pushed it (not ready until it has). */
  readonly pod: PodStatus;
  /**
   * Every serving worker's answer to `kind` (this one's included), gathered by the primary.
   * A worker that fails, exits or does not answer in time has an `error` entry instead.
   */
  gather(kind: GatherKind): Promise<WorkerAnswer[]>;
  /** Reports this worker's lifecycle state and served model to the primary. */
  report(status: WorkerStatus): void;
  /** Starts answering the primary's collects (before that: an error answer). */
  serve(handlers: CollectHandlers): void;
}

/** The IPC channel: `process.send` and `process.on('message')` in a cluster worker. */
export interface Channel {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The worker's end of the cluster IPC channel (a no-op send once the primary is gone). */
export function processChannel(): Channel {
  return {
    send(message) {
      if (process.connected) process.send?.(message, undefined, undefined, () => {});
    },
    onMessage(listener) {
      process.on('message', listener);
    },
  };
}

/** Options of {@link createPodLink}. */
export interface PodLinkOptions {
  readonly worker: number;
  readonly workers: number;
  /** @default processChannel() */
  readonly channel?: Channel;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Creates the worker's link and starts listening on the channel. */
export function createPodLink(options: PodLinkOptions): PodLink {
  const { worker, workers, channel = processChannel() } = options;
  let pod: PodStatus = { ready: false, state: 'starting', readyWorkers: 0, workers };
  let handlers: CollectHandlers | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (answers: WorkerAnswer[]) => void; timer: NodeJS.Timeout }
  >();

  const collect = async (id: number, kind: GatherKind) => {
    try {
      if (!handlers) throw new Error('not serving yet');
      const payload = await handlers[kind]();
      channel.send({ modelship: 1, type: 'collected', id, payload });
    } catch (error) {
      channel.send({ modelship: 1, type: 'collected', id, error: reasonOf(error) });
    }
  };

  channel.onMessage((message) => {
    if (!isOurs<PrimaryMessage>(message)) return;
    switch (message.type) {
      case 'collect':
        void collect(message.id, message.kind);
        break;
      case 'gathered': {
        const waiting = pending.get(message.id);
        if (!waiting) break;
        pending.delete(message.id);
        clearTimeout(waiting.timer);
        waiting.resolve([...message.answers]);
        break;
      }
      case 'pod': {
        const { modelship: _m, type: _t, ...status } = message;
        pod = status;
        break;
      }
      case 'ping':
        channel.send({ modelship: 1, type: 'pong', id: message.id });
        break;
    }
  });

  return {
    worker,
    workers,
    get pod() {
      return pod;
    },
    gather(kind) {
      const id = nextId++;
      return new Promise<WorkerAnswer[]>((resolve, reject) => {
        // The primary answers within its own deadline; this one only covers a lost primary.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the primary process did not answer a ${kind} gather`));
        }, GATHER_TIMEOUT_MS[kind] + 5_000);
        timer.unref();
        pending.set(id, { resolve, timer });
        channel.send({ modelship: 1, type: 'gather', id, kind });
      });
    },
    report(status) {
      channel.send({ modelship: 1, type: 'status', ...status });
    },
    serve(next) {
      handlers = next;
    },
  };
}
