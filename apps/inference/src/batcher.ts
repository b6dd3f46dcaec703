import { QueueFullError } from './errors.ts';

/** Runs one batch: returns exactly one output per input row, in order. */
export type BatchRunner<Row, Out> = (rows: readonly Row[]) => Promise<readonly Out[]>;

/** Options of {@link createBatcher}. */
export interface BatcherOptions<Row, Out> {
  /** The model run (e.g. encode + onnxruntime `session.run`). */
  readonly run: BatchRunner<Row, Out>;
  /** Coalesce concurrent submissions; when false every submission runs on its own. @default true */
  readonly enabled?: boolean;
  /** Most rows in one run (a single larger submission still runs alone). @default 1000 */
  readonly maxBatchRows?: number;
  /** Most rows waiting for a run; beyond it `submit` throws. @default 10000 */
  readonly maxQueueRows?: number;
  /** Called with the row count of every run (for the batch size histogram). */
  readonly onRun?: (rows: number) => void;
  /** Called whenever the number of waiting rows changes (for the queue depth gauge). */
  readonly onQueueDepth?: (rows: number) => void;
}

/** Coalesces concurrent submissions into few model runs. */
export interface Batcher<Row, Out> {
  /**
   * Predicts `rows` (one request's records, kept together in one run) and resolves with
   * their outputs in order. Rejects with the run's error if the run fails, or with
   * {@link QueueFullError} if the queue holds too many rows already.
   */
  submit(rows: readonly Row[]): Promise<Out[]>;
  /** Rows waiting for a run. */
  readonly queuedRows: number;
  /** Resolves once no run is in flight and nothing waits. */
  idle(): Promise<void>;
}

interface Job<Row, Out> {
  readonly rows: readonly Row[];
  readonly resolve: (outputs: Out[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Creates a batcher without any timer, so that it adds no latency at low load: the first
 * submission of an event-loop turn schedules a run for the end of that turn (`setImmediate`,
 * after every request whose bytes arrived in the turn has been parsed), which takes every
 * submission of the turn; while a run is in flight, submissions queue, and when it finishes the
 * next run takes whole queued submissions, oldest first, up to `maxBatchRows`. A lone request
 * waits for nothing but the end of its own turn. (Running the first submission at once, as
 * before, made it a one-row run of its own in every busy turn: twice the runs, and onnxruntime's
 * fixed cost per run paid twice; see apps/bench/PROFILING.md.) A failed run fails only the
 * submissions that were in it.
 *
 * @example
 * const batcher = createBatcher({ run: (rows) => model.run(rows), maxBatchRows: 1000 });
 * const [charges] = await batcher.submit([record]);
 */
export function createBatcher<Row, Out>(options: BatcherOptions<Row, Out>): Batcher<Row, Out> {
  const {
    run,
    enabled = true,
    maxBatchRows = 1000,
    maxQueueRows = 10_000,
    onRun = () => {},
    onQueueDepth = () => {},
  } = options;
  const queue: Job<Row, Out>[] = [];
  let queuedRows = 0;
  let runsInFlight = 0;
  let flushScheduled = false;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (runsInFlight > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  const execute = (jobs: readonly Job<Row, Out>[]) => {
    const rows = jobs.length === 1 ? (jobs[0]?.rows ?? []) : jobs.flatMap((job) => job.rows);
    runsInFlight += 1;
    onRun(rows.length);
    // The run is started through a promise so that a synchronous throw fails the batch too.
    Promise.resolve()
      .then(() => run(rows))
      .then((outputs) => {
        if (outputs.length !== rows.length) {
          throw new Error(`runner returned ${outputs.length} outputs for ${rows.length} rows`);
        }
        let offset = 0;
        for (const job of jobs) {
          job.resolve(outputs.slice(offset, offset + job.rows.length));
          offset += job.rows.length;
        }
      })
      .catch((error: unknown) => {
        for (const job of jobs) job.reject(error);
      })
      .finally(() => {
        runsInFlight -= 1;
        if (enabled) pump();
        settleIdle();
      });
  };

  const pump = () => {
    flushScheduled = false;
    if (runsInFlight > 0 || queue.length === 0) return;
    const jobs: Job<Row, Out>[] = [];
    let rows = 0;
    while (queue.length > 0) {
      const next = queue[0] as Job<Row, Out>;
      if (jobs.length > 0 && rows + next.rows.length > maxBatchRows) break;
      queue.shift();
      jobs.push(next);
      rows += next.rows.length;
    }
    queuedRows -= rows;
    onQueueDepth(queuedRows);
    execute(jobs);
  };

  return {
    submit(rows) {
      if (rows.length === 0) return Promise.resolve([]);
      return new Promise<Out[]>((resolve, reject) => {
        const job = { rows, resolve, reject };
        if (!enabled) {
          execute([job]);
          return;
        }
        if (queuedRows + rows.length > maxQueueRows) {
          reject(new QueueFullError());
          return;
        }
        queue.push(job);
        queuedRows += rows.length;
        onQueueDepth(queuedRows);
        if (runsInFlight === 0 && !flushScheduled) {
          flushScheduled = true;
          setImmediate(pump);
        }
      });
    },
    get queuedRows() {
      return queuedRows;
    },
    idle() {
      if (runsInFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
