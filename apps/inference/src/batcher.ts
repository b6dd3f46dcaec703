import { QueueFullError } from './errors.ts';

/**
 * Runs one batch: returns exactly one output per input row, in order, in a new array (a lone
 * submission is answered with that array itself).
 */
export type BatchRunner<Row, Out> = (rows: readonly Row[]) => Promise<readonly Out[]>;

/** Options of {@link createBatcher}. */
export interface BatcherOptions<Row, Out> {
  /** The model run (e.g. encode + onnxruntime `session.run`). */
  readonly run: BatchRunner<Row, Out>;
  /** Coalesce concurrent submissions; when false every submission runs on its own. @default true */
  readonly enabled?: boolean;
  /** Most rows in one run (a single larger submission still runs alone). @default 1000 */
  readonly maxBatchRows?: number;
  /**
   * Most rows waiting for a run; beyond it, or beyond a request's share of what is free
   * ({@link admits}), `submit` throws. @default 10000
   */
  readonly maxQueueRows?: number;
  /** Called with the row count of every run (for the batch size histogram). */
  readonly onRun?: (rows: number) => void;
  /**
   * Called with a successful run's rows and outputs (one per row, in order), before its
   * submissions are answered: per-run accounting instead of per submission.
   */
  readonly onOutputs?: (rows: readonly Row[], outputs: readonly Out[]) => void;
  /** Called for each submission refused with {@link QueueFullError}. */
  readonly onRefused?: () => void;
  /**
   * Called with the seconds each run took, from its start to its outcome, failed or not (for
   * the run duration histogram).
   */
  readonly onRunDone?: (seconds: number) => void;
  /**
   * Called with the number of waiting rows when it differs from the last call's (for the queue
   * depth gauge); a submission run at once never waits, so it makes no call.
   */
  readonly onQueueDepth?: (rows: number) => void;
  /**
   * Most extra event-loop turns a run may wait for more submissions, under concurrent load
   * only (see {@link createBatcher}); 0 runs every batch at the end of its first turn.
   * @default 8
   */
  readonly maxGatherTurns?: number;
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

/**
 * Whether a queue holding `queued` of `max` rows takes a request of `rows` rows: it must fit,
 * and leave at least `rows - 1` rows free (it takes about half of what is free at most), so
 * that a caller of big batches can never fill the queue against smaller requests: after any
 * request of 2 rows or more, a single record still fits. An empty queue takes any request that
 * fits.
 */
export function admits(queued: number, max: number, rows: number): boolean {
  const free = max - queued;
  return rows <= free && (queued === 0 || 2 * rows - 1 <= free);
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
 * next run takes whole queued submissions, oldest first, up to `maxBatchRows`. A failed run
 * fails only the submissions that were in it.
 *
 * While traffic is lone (the last run took one submission that found the batcher idle, and
 * none was waiting when it ended), a submission that finds the batcher idle runs at once
 * instead: the end of its turn would push onnxruntime-node's own `setImmediate` into the next
 * event-loop turn, one more turn per request. A submission during that run ends the lone
 * traffic until a run again starts and ends with nothing else around, so that requests that
 * arrive together keep being run together.
 *
 * Under concurrent load a run gathers for a few more turns: when the last run took several
 * submissions and fewer are waiting now, the run waits one more turn, and again while each
 * turn brings more submissions (at most `maxGatherTurns`), so that it takes about as many as
 * the last one. A turn with nothing to read is one pass of the event loop (microseconds), so
 * a lone request (the last run took one) never waits, and a quiet turn ends the gathering.
 * Behind nginx a loaded service's requests arrive spread over turns, so gathering shares
 * onnxruntime's fixed cost per run among more rows (figures in apps/bench/PROFILING.md).
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
    onRunDone = () => {},
    onOutputs = () => {},
    onRefused = () => {},
    onQueueDepth = () => {},
    maxGatherTurns = 8,
  } = options;
  const queue: Job<Row, Out>[] = [];
  let queuedRows = 0;
  let runsInFlight = 0;
  let flushScheduled = false;
  // Gathering: submissions the last run took, turns waited so far, submissions a turn ago.
  let lastRunJobs = 0;
  // Lone traffic: the last run took one submission that found the batcher idle, and none was
  // waiting when it ended.
  let lone = false;
  let gatheredTurns = 0;
  let waitingBefore = 0;
  let idleWaiters: (() => void)[] = [];
  let reportedDepth = 0;

  const reportDepth = () => {
    if (queuedRows === reportedDepth) return;
    reportedDepth = queuedRows;
    onQueueDepth(queuedRows);
  };

  const settleIdle = () => {
    if (runsInFlight > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  /** After a run settled: the next run, or the idle waiters. */
  const ended = (jobs: number, fromIdle: boolean) => {
    runsInFlight -= 1;
    lone = fromIdle && jobs === 1 && queue.length === 0;
    if (enabled) pump();
    settleIdle();
  };

  const execute = (jobs: readonly Job<Row, Out>[], fromIdle = false) => {
    const rows = jobs.length === 1 ? (jobs[0]?.rows ?? []) : jobs.flatMap((job) => job.rows);
    runsInFlight += 1;
    onRun(rows.length);
    const started = performance.now();
    let running: Promise<readonly Out[]>;
    try {
      running = run(rows);
    } catch (error) {
      // A synchronous throw fails the batch like a rejected run.
      running = Promise.reject(error);
    }
    running.then(
      (outputs) => {
        onRunDone((performance.now() - started) / 1000);
        try {
          if (outputs.length !== rows.length) {
            throw new Error(`runner returned ${outputs.length} outputs for ${rows.length} rows`);
          }
          onOutputs(rows, outputs);
          if (jobs.length === 1) (jobs[0] as Job<Row, Out>).resolve(outputs as Out[]);
          else {
            let offset = 0;
            for (const job of jobs) {
              job.resolve(outputs.slice(offset, offset + job.rows.length));
              offset += job.rows.length;
            }
          }
        } catch (error) {
          for (const job of jobs) job.reject(error);
        }
        ended(jobs.length, fromIdle);
      },
      (error: unknown) => {
        onRunDone((performance.now() - started) / 1000);
        for (const job of jobs) job.reject(error);
        ended(jobs.length, fromIdle);
      },
    );
  };

  /** Whether the next run should wait one more turn for submissions (see createBatcher). */
  const gatherMore = () =>
    gatheredTurns < maxGatherTurns &&
    queue.length < lastRunJobs &&
    (gatheredTurns === 0 || queue.length > waitingBefore);

  /** Starts the next run; `fromIdle` when a submission found the batcher idle (not after a run). */
  const pump = (fromIdle = false) => {
    flushScheduled = false;
    if (runsInFlight > 0 || queue.length === 0) return;
    if (gatherMore()) {
      gatheredTurns += 1;
      waitingBefore = queue.length;
      reportDepth();
      flushScheduled = true;
      setImmediate(pump);
      return;
    }
    gatheredTurns = 0;
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
    reportDepth();
    lastRunJobs = jobs.length;
    execute(jobs, fromIdle);
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
        if (!admits(queuedRows, maxQueueRows, rows.length)) {
          onRefused();
          reject(new QueueFullError());
          return;
        }
        queue.push(job);
        queuedRows += rows.length;
        if (lone && queue.length === 1 && runsInFlight === 0 && !flushScheduled) {
          // Lone traffic: run now, so that onnxruntime's own setImmediate falls in this turn.
          pump(true);
          return;
        }
        reportDepth();
        if (runsInFlight > 0 || flushScheduled) return;
        flushScheduled = true;
        setImmediate(pump, true);
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
