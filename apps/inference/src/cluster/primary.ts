// The primary process of WORKERS > 1: forks the workers (each a whole service, sharing PORT),
// owns the probe listener (PROBE_PORT), routes the workers' gathers, relays their log lines,
// restarts a worker that dies (with backoff, giving up on a crash loop) and forwards SIGTERM
// and SIGINT, exiting once every worker has. It never loads the model.
import cluster, { type Worker } from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Counter, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { flushLogSync, type Logger } from '../logger.ts';
import type { LifecycleState } from '../readiness.ts';
import type { PrimaryOutput } from './output.ts';
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
import { DEFAULT_RESTART_POLICY, decideRestart, type RestartPolicy } from './restart-policy.ts';

/** Options of {@link runPrimary}. */
export interface PrimaryOptions {
  readonly config: Pick<Config, 'WORKERS' | 'PROBE_PORT' | 'SHUTDOWN_DELAY' | 'SHUTDOWN_TIMEOUT'>;
  /** The primary's logger (writing to `output.lines`). */
  readonly logger: Logger;
  /** The primary's stdout, where the workers' lines are relayed. */
  readonly output: PrimaryOutput;
  /** @default DEFAULT_RESTART_POLICY */
  readonly restart?: RestartPolicy;
  /** Ends the process. @default process.exit */
  readonly exit?: (code: number) => void;
}

/** The running primary. */
export interface Primary {
  /** The probe listener's port (undefined without PROBE_PORT). */
  readonly probePort: number | undefined;
  /** Forwards `signal` to every worker, waits for them, exits. Resolves with the exit code. */
  shutdown(signal: NodeJS.Signals): Promise<number>;
}

/** A worker process in its slot. */
interface Live {
  readonly worker: Worker;
  readonly pid: number;
  /** Its last report (none before its service started). */
  status?: WorkerStatus;
  everReady: boolean;
  /** Its collects waiting for an answer, by id. */
  readonly pending: Map<number, (answer: WorkerAnswer) => void>;
}

/** One of the WORKERS places a worker runs in (restarts keep the slot and its number). */
interface Slot {
  readonly index: number;
  live?: Live;
  restartTimer?: NodeJS.Timeout;
  /** Started at least once with a service that became ready. */
  everReady: boolean;
}

/** Lifecycle states from least to most advanced (the pod's state is its slots' least). */
const ORDER: readonly LifecycleState[] = ['starting', 'ready', 'draining', 'stopping', 'stopped'];

/** How long a worker has to answer the probe listener's ping. */
const PING_TIMEOUT_MS = 2_000;

const describeExit = (code: number | null, signal: string | null) =>
  signal ? `killed by ${signal}` : `exit code ${code}`;

/**
 * Starts the primary: the probe listener first (a port in use fails here, before any fork),
 * then worker 1, then, once it is ready, the others. A worker that exits before it was ever
 * ready ends the startup: the others are stopped and the primary exits 1 (the worker logged why;
 * the primary adds a line only when the worker could not, e.g. killed by a signal).
 */
export async function runPrimary(options: PrimaryOptions): Promise<Primary> {
  const { config, logger, output } = options;
  const policy = options.restart ?? DEFAULT_RESTART_POLICY;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const count = config.WORKERS;
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    everReady: false,
  }));
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let exitCode = 0;
  let finished: Promise<number> | undefined;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const exits: number[] = [];
  // Workers' stdout still being relayed (a worker's output may end after its exit event).
  const relays = new Set<Promise<void>>();
  let nextId = 1;
  let lastPod = '';

  // The primary's own metrics, added to the workers' in the pod's /metrics.
  const registry = new Registry();
  const restarts = new Counter({
    name: 'modelship_worker_restarts_total',
    help: 'Service processes restarted by the primary after they exited unexpectedly.',
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'modelship_log_dropped_total',
    help: 'Other log lines dropped because stdout did not keep up (the log buffer was full).',
    registers: [registry],
  });
  output.onDrop(() => dropped.inc());

  // SCHED_NONE: each worker accepts from the shared socket itself (no hop through the
  // primary). NODE_CLUSTER_SCHED_POLICY=rr (Node's own variable) still selects round-robin.
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    serialization: 'advanced',
    stdio: ['inherit', 'pipe', 'inherit', 'ipc'],
  });

  const send = (live: Live, message: PrimaryMessage) => {
    if (live.worker.isConnected()) live.worker.send(message, undefined, () => {});
  };

  const podStatus = (): PodStatus => {
    const states = slots.map(
      (s) => s.live?.status?.state ?? (phase === 'stopping' ? 'stopped' : 'starting'),
    );
    const state = states.reduce((least, s) =>
      ORDER.indexOf(s) < ORDER.indexOf(least) ? s : least,
    );
    const readyWorkers = slots.filter((s) => s.live?.status?.ready).length;
    return { ready: readyWorkers === count, state, readyWorkers, workers: count };
  };

  const pushPod = (force?: Live) => {
    const pod = podStatus();
    const text = JSON.stringify(pod);
    const message: PrimaryMessage = { modelship: 1, type: 'pod', ...pod };
    if (text !== lastPod) {
      lastPod = text;
      for (const s of slots) if (s.live?.status) send(s.live, message);
    } else if (force) {
      send(force, message);
    }
  };

  /** Asks one worker; resolves with its answer, or an error entry (timeout, exit). */
  const ask = (live: Live, kind: GatherKind, id: number): Promise<WorkerAnswer> =>
    new Promise((resolve) => {
      const slotOf = slots.find((s) => s.live === live)?.index ?? 0;
      const timer = setTimeout(
        () =>
          finish({
            worker: slotOf,
            pid: live.pid,
            error: `no answer within ${GATHER_TIMEOUT_MS[kind]} ms`,
          }),
        GATHER_TIMEOUT_MS[kind],
      );
      const finish = (answer: WorkerAnswer) => {
        clearTimeout(timer);
        live.pending.delete(id);
        resolve(answer);
      };
      live.pending.set(id, finish);
      send(live, { modelship: 1, type: 'collect', id, kind });
    });

  /** Every serving worker's answer to `kind` (and the primary's own metrics for `metrics`). */
  const gather = async (kind: GatherKind): Promise<WorkerAnswer[]> => {
    const id = nextId++;
    const serving = slots.flatMap((s) =>
      s.live?.status && s.live.worker.isConnected() ? [s.live] : [],
    );
    const answers = await Promise.all(serving.map((live) => ask(live, kind, id)));
    if (kind === 'metrics') {
      answers.push({
        worker: 0,
        pid: process.pid,
        payload: { metrics: await registry.getMetricsAsJSON() },
      });
    }
    return answers;
  };

  const onMessage = (slot: Slot, live: Live, message: unknown) => {
    if (!isOurs<WorkerMessage>(message)) return;
    switch (message.type) {
      case 'status': {
        const { modelship: _m, type: _t, ...status } = message;
        const first = live.status === undefined;
        live.status = status;
        if (status.ready && !live.everReady) {
          live.everReady = true;
          slot.everReady = true;
          onReady(slot);
        }
        pushPod(first ? live : undefined);
        break;
      }
      case 'gather': {
        const { id, kind } = message;
        void gather(kind).then((answers) =>
          send(live, { modelship: 1, type: 'gathered', id, answers }),
        );
        break;
      }
      case 'collected': {
        const answer: WorkerAnswer =
          message.error === undefined
            ? { worker: slot.index, pid: live.pid, payload: message.payload }
            : { worker: slot.index, pid: live.pid, error: message.error };
        live.pending.get(message.id)?.(answer);
        break;
      }
      case 'pong':
        live.pending.get(message.id)?.({ worker: slot.index, pid: live.pid, payload: 'pong' });
        break;
    }
  };

  const fork = (slot: Slot) => {
    slot.restartTimer = undefined;
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot.index) });
    const live: Live = {
      worker,
      pid: worker.process.pid ?? 0,
      everReady: false,
      pending: new Map(),
    };
    if (worker.process.stdout) {
      const relayed = output.relay(worker.process.stdout);
      relays.add(relayed);
      void relayed.then(() => relays.delete(relayed));
    }
    slot.live = live;
    worker.on('message', (message) => onMessage(slot, live, message));
    worker.on('error', (error) =>
      logger.warn({ worker: slot.index, pid: live.pid, error }, 'service process channel error'),
    );
    worker.once('exit', (code, signal) => onExit(slot, live, code, signal));
  };

  const onReady = (slot: Slot) => {
    if (phase !== 'starting') return;
    // Worker 1 loaded the model: the others may start (a bad model fails once, not N times).
    if (slot.index === 1) for (const s of slots.slice(1)) fork(s);
    if (slots.every((s) => s.everReady)) {
      phase = 'running';
      logger.info(
        { workers: count, pids: slots.map((s) => s.live?.pid) },
        `${count} service processes ready`,
      );
      flushLogSync(logger);
    }
  };

  let finishing = false;
  const finish = async (code: number) => {
    if (finishing) return;
    finishing = true;
    await Promise.all(relays);
    await new Promise<void>((resolve) => {
      if (!probes) return resolve();
      probes.close(() => resolve());
      probes.closeAllConnections();
    });
    logger.info({ code }, `every service process has exited; exiting with ${code}`);
    // Every relayed line, then this one, written in order before the process ends.
    await output.drained(2_000);
    flushLogSync(logger);
    resolveDone(code);
    exit(code);
  };

  const stopAll = (signal: NodeJS.Signals, code: number) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    exitCode = Math.max(exitCode, code);
    for (const s of slots) {
      clearTimeout(s.restartTimer);
      s.restartTimer = undefined;
    }
    const alive = slots.flatMap((s) => (s.live ? [s.live] : []));
    for (const live of alive) live.worker.process.kill(signal);
    pushPod();
    // Past every worker's own deadline (delay + drain) with a margin: kill what is left.
    const deadlineMs = (config.SHUTDOWN_DELAY + config.SHUTDOWN_TIMEOUT) * 1000 + 10_000;
    const deadline = setTimeout(() => {
      const left = slots.flatMap((s) => (s.live ? [s.live] : []));
      logger.error(
        { pids: left.map((l) => l.pid) },
        `${left.length} service processes still running ${deadlineMs} ms after the signal; killing them`,
      );
      exitCode = 1;
      for (const live of left) live.worker.process.kill('SIGKILL');
    }, deadlineMs);
    deadline.unref();
    if (alive.length === 0) void finish(exitCode);
  };

  const onExit = (slot: Slot, live: Live, code: number | null, signal: string | null) => {
    for (const answer of [...live.pending.values()]) {
      answer({
        worker: slot.index,
        pid: live.pid,
        error: `exited (${describeExit(code, signal)})`,
      });
    }
    if (slot.live === live) slot.live = undefined;
    const failed = code !== 0 || signal !== null;
    if (phase === 'stopping') {
      if (failed) exitCode = 1;
      const line = `service process ${slot.index} (pid ${live.pid}) exited (${describeExit(code, signal)})`;
      if (failed) logger.error({ worker: slot.index, pid: live.pid, code, signal }, line);
      else logger.info({ worker: slot.index, pid: live.pid, code }, line);
      pushPod();
      if (slots.every((s) => !s.live)) void finish(exitCode);
      return;
    }
    if (phase === 'starting' && !live.everReady) {
      // A startup failure (bad model, port in use...): the worker logged it; exit 1, no restart.
      if (code !== 1 || signal !== null) {
        logger.fatal(
          { worker: slot.index, pid: live.pid, code, signal },
          `startup failed: service process ${slot.index} ${describeExit(code, signal)} while starting`,
        );
      }
      stopAll('SIGTERM', 1);
      if (slots.every((s) => !s.live)) void finish(exitCode);
      return;
    }
    const decision = decideRestart(exits, Date.now(), policy);
    const fields = {
      worker: slot.index,
      pid: live.pid,
      code,
      signal,
      recentExits: decision.recentExits,
    };
    if (!decision.restart) {
      logger.fatal(
        fields,
        `service process ${slot.index} (pid ${live.pid}) exited unexpectedly (${describeExit(code, signal)}), the ${decision.recentExits}th exit within ${policy.windowMs / 1000} s: a crash loop; stopping every process`,
      );
      stopAll('SIGTERM', 1);
      if (slots.every((s) => !s.live)) void finish(exitCode);
      return;
    }
    logger.error(
      { ...fields, restartInMs: decision.delayMs },
      `service process ${slot.index} (pid ${live.pid}) exited unexpectedly (${describeExit(code, signal)}); restarting it in ${decision.delayMs} ms`,
    );
    restarts.inc();
    pushPod();
    slot.restartTimer = setTimeout(() => fork(slot), decision.delayMs);
  };

  // The probe listener: the kubelet's liveness and readiness of the whole pod.
  const ping = (live: Live): Promise<boolean> =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        live.pending.delete(id);
        resolve(false);
      }, PING_TIMEOUT_MS);
      live.pending.set(id, (answer) => {
        clearTimeout(timer);
        live.pending.delete(id);
        resolve('payload' in answer);
      });
      send(live, { modelship: 1, type: 'ping', id });
    });

  const workersBody = () =>
    slots.map((s) => ({
      worker: s.index,
      pid: s.live?.pid ?? null,
      state:
        s.live?.status?.state ?? (s.live ? 'starting' : s.restartTimer ? 'restarting' : 'exited'),
    }));

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(res, 404, { error: { code: 'not_found', message: 'not found' } });
    }
    if (path === OPERATIONAL_ROUTES.health) {
      // Alive: every slot holds a worker (or one is about to restart), and every worker whose
      // service runs answers a ping (its event loop turns).
      const checks = await Promise.all(
        slots.map(async (s) => {
          if (!s.live) return s.restartTimer !== undefined || phase === 'stopping';
          return s.live.status ? ping(s.live) : true;
        }),
      );
      const ok = checks.every(Boolean);
      return answer(res, ok ? 200 : 503, {
        status: ok ? 'ok' : 'unhealthy',
        workers: workersBody(),
      });
    }
    if (path === OPERATIONAL_ROUTES.ready) {
      const pod = podStatus();
      const model = slots.find((s) => s.live?.status)?.live?.status?.model;
      return answer(res, pod.ready ? 200 : 503, {
        status: pod.state,
        ...(model ? { model } : {}),
        workers: workersBody(),
      });
    }
    return answer(res, 404, { error: { code: 'not_found', message: 'not found' } });
  };

  let probes: ReturnType<typeof createServer> | undefined;
  if (config.PROBE_PORT !== undefined) {
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error({ error }, 'probe listener failed');
        if (!res.headersSent) answer(res, 500, { error: { code: 'internal' } });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PROBE_PORT, '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    probes = server;
  }
  const probePort = probes ? (probes.address() as AddressInfo).port : undefined;
  logger.info(
    {
      workers: count,
      probePort,
      schedulingPolicy: cluster.schedulingPolicy === cluster.SCHED_RR ? 'rr' : 'none',
    },
    `primary: starting ${count} service processes${probePort === undefined ? '' : `; probes on 0.0.0.0:${probePort}`}`,
  );
  fork(slots[0] as Slot);

  return {
    probePort,
    shutdown(signal) {
      if (finished) {
        logger.info({ signal }, 'shutdown: already in progress; waiting for the service processes');
        return finished;
      }
      logger.info(
        { signal, workers: slots.filter((s) => s.live).length },
        `shutdown: ${signal} forwarded to every service process`,
      );
      stopAll(signal, 0);
      finished = done;
      return finished;
    },
  };
}
