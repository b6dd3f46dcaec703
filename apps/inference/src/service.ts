import type { Hono } from 'hono';
import { createApp, createPredictionLane } from './app.ts';
import { loadApiKeys, noClients } from './auth/api-keys.ts';
import type { Config } from './config.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { prepareExplainer } from './explain/explanations.ts';
import { createRequestTracker } from './http/request-tracker.ts';
import { type Listening, listen } from './lifecycle/listen.ts';
import { parserRefusalReporter } from './lifecycle/parser-refusals.ts';
import { createShutdown, type Shutdown } from './lifecycle/shutdown.ts';
import { flushLogSync, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { loadModel, ModelLoadError } from './model/load.ts';
import type { ServedModel } from './model/served-model.ts';
import { createMonitoring } from './monitoring/index.ts';
import { createReadiness } from './readiness.ts';
import { createLiveModel } from './reload/live-model.ts';
import { createModelSlot } from './reload/slot.ts';
import { CurrentFileError, readCurrent, resolveModelSource } from './reload/source.ts';
import { healthRoutes } from './routes/health.ts';
import {
  operationalModules,
  predictionRoutes,
  type RouteModule,
  servingModules,
} from './routes/index.ts';
import type { PredictionRoute } from './routes/prediction-route.ts';

/** `current` of a versioned source at startup: unreadable is a load error (exit before listening). */
async function readCurrentOrFail(root: string): Promise<{ name: string; dir: string }> {
  try {
    return await readCurrent(root);
  } catch (error) {
    if (error instanceof CurrentFileError) throw new ModelLoadError(error.message);
    throw error;
  }
}

/** Options of {@link createDeps}. */
export interface CreateDepsOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The loaded model (from `loadModel`, or a fake in tests). */
  readonly model: ServedModel;
  /** Collect prom-client's default process metrics. @default true */
  readonly defaultMetrics?: boolean;
  /** The payload log's sampling source. @default Math.random */
  readonly random?: () => number;
  /**
   * A versioned source's directory and the name of the version `model` was loaded from: the
   * service then reloads (polling `current` every `MODEL_POLL_INTERVAL` once started, and on
   * `POST /admin/reload`). @default none (a plain model directory, never reloaded)
   */
  readonly versioned?: { readonly root: string; readonly name: string };
  /** Loads and checks a version's directory. @default loadModel with ORT_INTRA_OP_THREADS */
  readonly load?: (dir: string) => Promise<ServedModel>;
}

/**
 * Wires the shared dependencies around a loaded model: metrics (with the model info series,
 * and predictions counted per class for a classifier), the lifecycle state (initially
 * `starting`), the model slot (the served version; reloads for a versioned source) and
 * `predict` going through the given version's batcher with the inference metrics, and the API
 * keys of `API_KEYS_FILE` (read now: a bad file throws `ApiKeysFileError`).
 */
export function createDeps(options: CreateDepsOptions): AppDeps & { idle(): Promise<void> } {
  const { config, logger, model, defaultMetrics = true, random, versioned } = options;
  const { task } = model;
  const classes = task.kind === 'classification' ? task.classes.map(String) : undefined;
  const requests = createRequestTracker();
  const metrics = createMetrics({
    defaultMetrics,
    inFlight: () => requests.inFlight,
    ...(classes ? { classes } : {}),
  });
  metrics.modelInfo.set({ ...model.identity }, 1);
  const { API_KEYS_FILE } = config;
  const apiKeys =
    API_KEYS_FILE === undefined
      ? undefined
      : loadApiKeys({
          config: { ...config, API_KEYS_FILE },
          logger,
          registry: metrics.registry,
        });
  const monitoring = createMonitoring({
    config,
    logger,
    model,
    registry: metrics.registry,
    ...(random ? { random } : {}),
  });
  const adopt = (loaded: ServedModel, drift = monitoring.driftFor(loaded)) =>
    createLiveModel({
      model: loaded,
      config,
      metrics,
      ...(drift ? { drift } : {}),
      explainer: prepareExplainer({
        model: loaded,
        config,
        logger,
        onSession: (delta) => metrics.explainerSessions.inc(delta),
      }),
    });
  const initialDrift = monitoring.drift;
  const models = createModelSlot({
    initial: adopt(model, initialDrift),
    ...(versioned ? { versioned } : {}),
    load:
      options.load ?? ((dir) => loadModel({ dir, intraOpThreads: config.ORT_INTRA_OP_THREADS })),
    adopt,
    onSwitch: (next) => {
      metrics.modelInfo.reset();
      metrics.modelInfo.set({ ...next.model.identity }, 1);
      monitoring.follow(next.drift);
    },
    logger,
    metrics,
    pollMs: config.MODEL_POLL_INTERVAL * 1000,
  });
  return {
    config,
    logger,
    metrics,
    model,
    models,
    readiness: createReadiness('starting', {
      readyWhileDraining: config.SHUTDOWN_READINESS === 'keep',
    }),
    monitoring,
    requests,
    apiKeys,
    // The version counts its rows, classes, drift and refusals once per run (live-model.ts).
    predict: (records, version = models.current) => version.predict(records),
    idle: () => models.current.idle(),
  };
}

/** A started service. */
export interface Service extends Listening {
  readonly app: Hono<AppEnv>;
  readonly deps: AppDeps;
  /** The operational listener (`OPS_PORT`: metrics, monitoring, reload), if configured. */
  readonly ops: Listening | undefined;
  /** The SIGTERM sequence (call `begin`); the caller wires signals to it. */
  readonly shutdown: Shutdown;
}

/** Options of {@link startService}. */
export interface StartServiceOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** How the shutdown sequence ends the process. @default process.exit */
  readonly exit?: (code: number) => void;
  /** The route modules of the serving listener. @default servingModules */
  readonly routes?: readonly RouteModule[];
  /**
   * The prediction routes, served by Hono and the fast lane: the benchmark's ceiling swaps an
   * answer for a constant.
   * @default predictionRoutes with the service's route table, none with other `routes`
   */
  readonly predictions?: (deps: AppDeps) => readonly PredictionRoute[];
}

/**
 * Loads, checks and warms the model (failing with `ModelLoadError` before anything listens),
 * then listens and turns ready. Never half-ready: the port opens only for a servable model.
 *
 * @example
 * const service = await startService({ config: loadConfig(), logger });
 * process.on('SIGTERM', () => service.shutdown.begin('SIGTERM'));
 */
export async function startService(options: StartServiceOptions): Promise<Service> {
  const { config, logger, exit, routes } = options;
  const load = (dir: string) => loadModel({ dir, intraOpThreads: config.ORT_INTRA_OP_THREADS });
  const source = await resolveModelSource(config.MODEL_DIR);
  const named = source.kind === 'versioned' ? await readCurrentOrFail(source.root) : undefined;
  const model = await load(named?.dir ?? config.MODEL_DIR);
  logger.info({ model: model.identity, dir: model.dir }, 'model loaded and warmed');
  const deps = createDeps({
    config,
    logger,
    model,
    load,
    ...(source.kind === 'versioned' && named
      ? { versioned: { root: source.root, name: named.name } }
      : {}),
  });
  // The explainer's method is chosen and logged, and its session built, before anything listens.
  await deps.models.current.explainer?.ready;
  const predictions = options.predictions?.(deps) ?? (routes ? [] : predictionRoutes(deps));
  const app = createApp(deps, { routes: routes ?? servingModules, predictions });
  // One reporter for every listener: one log budget for a flood, whichever port it hits.
  const onRefusal = parserRefusalReporter({ logger, counter: deps.metrics.parserRefusals });
  const listening = await listen(app, {
    onRefusal,
    port: config.PORT,
    host: config.HOST,
    keepAliveTimeoutMs: config.KEEPALIVE_TIMEOUT * 1000,
    requestTimeoutMs: config.REQUEST_TIMEOUT * 1000,
    lane: createPredictionLane(deps, predictions),
  });
  // The kubelet's direct line to the process (liveness), beside nginx's path: the bare probe
  // routes, without the request log line and metrics that every 10 s probe would add.
  const probes =
    config.PROBE_PORT === undefined
      ? undefined
      : await listen(healthRoutes(deps), {
          onRefusal,
          port: config.PROBE_PORT,
          host: '0.0.0.0',
        });
  // Metrics, the drift page and reloads: on a listener of their own, never on PORT.
  const ops =
    config.OPS_PORT === undefined
      ? undefined
      : await listen(
          createApp(deps, { routes: operationalModules, predictions: [], apiKeys: false }),
          {
            onRefusal,
            port: config.OPS_PORT,
            host: config.OPS_HOST,
          },
        );
  deps.readiness.markReady();
  deps.models.start();
  deps.apiKeys?.start();
  logger.info(
    { port: probes?.port },
    probes ? `probes on 0.0.0.0:${probes.port}` : 'no probe listener (PROBE_PORT unset)',
  );
  logger.info(
    { port: ops?.port, host: ops?.host },
    ops
      ? `operational routes on ${ops.host}:${ops.port}`
      : 'no operational listener (OPS_PORT unset): no /metrics, /monitoring or /admin/reload',
  );
  const clients = deps.apiKeys?.names();
  if (clients?.length === 0) logger.warn({ clients }, `API keys on: ${noClients} (API_KEYS_FILE)`);
  else {
    logger.info(
      { clients },
      clients
        ? `API keys on: ${clients.length} clients (API_KEYS_FILE)`
        : 'API keys off (API_KEYS_FILE unset): every route is open',
    );
  }
  logger.info(
    { port: listening.port, host: listening.host },
    `listening on ${listening.host}:${listening.port}`,
  );
  // The startup lines are on stdout before the first request can be answered.
  flushLogSync(logger);
  const shutdown = createShutdown({
    server: listening.server,
    readiness: deps.readiness,
    logger,
    delayMs: config.SHUTDOWN_DELAY * 1000,
    timeoutMs: config.SHUTDOWN_TIMEOUT * 1000,
    pending: () => ({ inFlightRequests: deps.requests.inFlight }),
    idle: deps.idle,
    release: async () => {
      for (const side of [probes, ops]) {
        await new Promise<void>((resolve) => {
          if (!side) return resolve();
          side.server.close(() => resolve());
          side.server.closeAllConnections();
        });
      }
      deps.apiKeys?.stop();
      await deps.models.stop();
      await deps.models.current.retire();
    },
    ...(exit ? { exit } : {}),
  });
  return { ...listening, app, deps, ops, shutdown };
}
