// A worker process of a pod with WORKERS > 1: what it answers the primary (its metrics, its
// drift window, a reload), how it reports its lifecycle, and the pod-wide answers of the routes
// that must describe every worker, not just the one nginx's connection reached.
import type { AppDeps } from '../deps.ts';
import type { ReloadOutcome } from '../reload/slot.ts';
import type { CollectHandlers, PodLink } from './link.ts';
import { type DriftSnapshot, driftSnapshot, mergeDrift, type PodDrift } from './pod-drift.ts';
import { aggregatePodMetrics, type MetricJson } from './pod-metrics.ts';
import type { ModelIdentity, WorkerAnswer } from './protocol.ts';

/** The deps a worker's collects and pod-wide answers read. */
export type WorkerDeps = Pick<
  AppDeps,
  'logger' | 'metrics' | 'models' | 'monitoring' | 'readiness'
>;

/** A worker's answer to a `metrics` collect. */
export interface MetricsPayload {
  readonly metrics: readonly MetricJson[];
  /** Its drift window (with a profile), for the pod's PSI. */
  readonly drift?: DriftSnapshot;
}

/** A worker's answer to a `drift` collect. */
export interface DriftPayload {
  readonly drift?: DriftSnapshot;
}

/** A worker's answer to a `reload` collect: what its reload did, and the version it now serves. */
export type ReloadPayload = ReloadOutcome & { readonly model: ModelIdentity };

function snapshotOf(deps: WorkerDeps): DriftSnapshot | undefined {
  const { drift } = deps.monitoring;
  return drift ? driftSnapshot(drift, deps.models.current.model.identity.fingerprint) : undefined;
}

/** What this worker answers the primary's collects with. */
export function collectHandlers(deps: WorkerDeps): CollectHandlers {
  return {
    async metrics(): Promise<MetricsPayload> {
      const metrics = (await deps.metrics.registry.getMetricsAsJSON()) as unknown as MetricJson[];
      const drift = snapshotOf(deps);
      return { metrics, ...(drift ? { drift } : {}) };
    },
    async drift(): Promise<DriftPayload> {
      const drift = snapshotOf(deps);
      return drift ? { drift } : {};
    },
    async reload(): Promise<ReloadPayload> {
      const outcome = await deps.models.reload();
      return { ...outcome, model: deps.models.current.model.identity };
    },
  };
}

/**
 * Starts answering the primary and reporting this worker's state: now, and at every change of
 * its lifecycle. Returns the report function (call it when the served version changes).
 */
export function serveWorker(link: PodLink, deps: WorkerDeps): () => void {
  link.serve(collectHandlers(deps));
  const report = () =>
    link.report({
      state: deps.readiness.state,
      ready: deps.readiness.ready,
      model: deps.models.current.model.identity,
    });
  deps.readiness.onChange(report);
  report();
  return report;
}

/** The answers that carry a payload, and how many did not. */
function split<T>(answers: readonly WorkerAnswer[]): { payloads: T[]; failed: WorkerAnswer[] } {
  const payloads: T[] = [];
  const failed: WorkerAnswer[] = [];
  for (const answer of answers) {
    if ('payload' in answer) payloads.push(answer.payload as T);
    else failed.push(answer);
  }
  return { payloads, failed };
}

function warnAbout(deps: WorkerDeps, what: string, failed: readonly WorkerAnswer[]): void {
  if (failed.length === 0) return;
  deps.logger.warn(
    { failed },
    `${what}: ${failed.length} worker${failed.length === 1 ? '' : 's'} did not answer; the answer leaves them out`,
  );
}

/** The pod's drift window: every worker's window added up (undefined without a profile). */
export async function podDrift(link: PodLink, deps: WorkerDeps): Promise<PodDrift | undefined> {
  const local = deps.monitoring.drift;
  if (!local) return undefined;
  const { payloads, failed } = split<DriftPayload>(await link.gather('drift'));
  warnAbout(deps, 'GET /monitoring', failed);
  const snapshots = payloads.flatMap((p) => (p.drift ? [p.drift] : []));
  const fingerprint = deps.models.current.model.identity.fingerprint;
  return mergeDrift(
    local,
    fingerprint,
    snapshots,
    failed.length + payloads.length - snapshots.length,
  );
}

/** The pod's metrics in the Prometheus text format, and its content type. */
export async function podMetrics(
  link: PodLink,
  deps: WorkerDeps,
): Promise<{ text: string; contentType: string }> {
  const { payloads, failed } = split<MetricsPayload>(await link.gather('metrics'));
  warnAbout(deps, 'GET /metrics', failed);
  const local = deps.monitoring.drift;
  const fingerprint = deps.models.current.model.identity.fingerprint;
  const snapshots = payloads.flatMap((p) => (p.drift ? [p.drift] : []));
  const drift = local ? mergeDrift(local, fingerprint, snapshots) : undefined;
  const registry = aggregatePodMetrics(
    payloads.map((p) => p.metrics),
    drift,
  );
  return { text: await registry.metrics(), contentType: deps.metrics.registry.contentType };
}

/** One worker's line in the pod's reload answer. */
export type WorkerReload =
  | ({ readonly worker: number; readonly pid: number } & ReloadPayload)
  | {
      readonly worker: number;
      readonly pid: number;
      readonly outcome: 'no_answer';
      readonly reason: string;
    };

/** The pod's answer to `POST /admin/reload`: the body and its status. */
export interface PodReload {
  readonly status: 200 | 409 | 503;
  readonly body: Readonly<Record<string, unknown>> & { readonly workers: readonly WorkerReload[] };
}

/**
 * Reloads every serving worker and answers for the pod, in the single process's shape plus
 * `workers` (each worker's own outcome): `refused` (409) if any worker refused the version,
 * else `no_answer` (503) if any did not answer, else `not_versioned` (409) for a plain model
 * directory, else `switched` (200) if any switched, else `unchanged` (200).
 */
export async function podReload(link: PodLink, deps: WorkerDeps): Promise<PodReload> {
  const answers = await link.gather('reload');
  const workers: WorkerReload[] = answers.map((a) =>
    'payload' in a
      ? { worker: a.worker, pid: a.pid, ...(a.payload as ReloadPayload) }
      : { worker: a.worker, pid: a.pid, outcome: 'no_answer', reason: a.error },
  );
  const first = <O extends WorkerReload['outcome']>(outcome: O) =>
    workers.find((w): w is Extract<WorkerReload, { outcome: O }> => w.outcome === outcome);
  const model = deps.models.current.model.identity;
  const pick = (w: WorkerReload) => {
    const { worker: _w, pid: _p, model: _m, ...outcome } = w as WorkerReload & { model?: unknown };
    return outcome;
  };
  const refused = first('refused');
  if (refused) return { status: 409, body: { ...pick(refused), model, workers } };
  const silent = first('no_answer');
  if (silent) return { status: 503, body: { ...pick(silent), model, workers } };
  const plain = first('not_versioned');
  if (plain) return { status: 409, body: { ...pick(plain), model, workers } };
  const switched = first('switched');
  if (switched) return { status: 200, body: { ...pick(switched), model, workers } };
  const unchanged = first('unchanged');
  if (unchanged) return { status: 200, body: { ...pick(unchanged), model, workers } };
  return {
    status: 503,
    body: { outcome: 'no_answer', reason: 'no worker is serving', model, workers },
  };
}

/** The pod's readiness as a worker's `/readyz` answers it: this worker's and the primary's view. */
export function podReadiness(
  link: PodLink,
  deps: Pick<AppDeps, 'readiness' | 'models'>,
): { status: 200 | 503; body: Record<string, unknown> } {
  const { readiness } = deps;
  const { pod } = link;
  const ready = readiness.ready && pod.ready;
  return {
    status: ready ? 200 : 503,
    body: {
      status: readiness.ready ? pod.state : readiness.state,
      model: deps.models.current.model.identity,
      /** The worker that answered (1..WORKERS). */
      worker: link.worker,
      workers: { ready: pod.readyWorkers, of: pod.workers },
    },
  };
}
