import type { Running } from './stacks.ts';

/**
 * Every server the benchmark starts, by role. `ours` is the service alone; the `-nginx` ones
 * have nginx in front (the shipped config for ours and the ceilings, the tutorial proxy for
 * both peers).
 */
export type ServerId =
  | 'ours'
  | 'ours-nginx'
  | 'peer'
  | 'fastapi'
  | 'ceiling-service'
  | 'ceiling-hono'
  | 'heavy-on'
  | 'heavy-off';

/** The running servers of one benchmark, by role (a filtered run starts only those it needs). */
export type Servers = Readonly<Partial<Record<ServerId, Running>>>;

/** A series of the chart and a row group of the report: one stack, whatever the body. */
export type StackId =
  | 'ours-nginx'
  | 'ours-direct'
  | 'peer-nginx'
  | 'fastapi-nginx'
  | 'fastapi-direct'
  | 'ceiling-service'
  | 'ceiling-hono'
  | 'ceiling-hono-direct'
  | 'ceiling-static'
  | 'heavy-on'
  | 'heavy-off';

/** The two request bodies every stack is sent: one record, or `{"instances": [64 records]}`. */
export type BodyKind = 'one' | 'batch';

/** How a target is built from the running servers. */
export interface TargetSpec {
  readonly stack: StackId;
  readonly label: string;
  /** `main` targets form the comparison table; `batching` ones the batching floor. */
  readonly group: 'main' | 'batching';
  /** The server the load generator hits. */
  readonly server: ServerId;
  readonly path: string;
  readonly body: BodyKind;
  /** Checks one answer's JSON (the probe before any load). */
  readonly check: (answer: unknown) => boolean;
  /** Only the proxy serves it (nginx's own location): no application CPU or memory. */
  readonly proxyOnly?: boolean;
  /** The server's application process is hit directly, past its proxy (no nginx CPU). */
  readonly direct?: boolean;
  /** Measured only at these connection counts, of those the run measures. @default all */
  readonly levels?: readonly number[];
}

/** Records per request of each body. */
export const bodyRows: Readonly<Record<BodyKind, number>> = { one: 1, batch: 64 };

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const oneAnswer = (a: unknown): boolean => isNumber((a as { prediction?: unknown })?.prediction);
const manyAnswers = (a: unknown): boolean => {
  const p = (a as { predictions?: unknown })?.predictions;
  return Array.isArray(p) && p.length === bodyRows.batch && p.every(isNumber);
};
const flaskMany = (a: unknown): boolean =>
  Array.isArray(a) && a.length === bodyRows.batch && a.every(isNumber);

/**
 * Every target, by id (`<stack>/<records per request>`), in the order of the report. The
 * FastAPI peer answers the same bodies with the same JSON as ours; the Flask peer keeps the
 * tutorial's bare numbers.
 */
export const targetSpecs = {
  'ours-nginx/1': {
    stack: 'ours-nginx',
    label: 'ours: nginx → service, 1 record',
    group: 'main',
    server: 'ours-nginx',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'ours-direct/1': {
    stack: 'ours-direct',
    label: 'ours: service alone, 1 record',
    group: 'main',
    server: 'ours',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'fastapi-nginx/1': {
    stack: 'fastapi-nginx',
    label: 'peer: nginx → Gunicorn + uvicorn → FastAPI → onnxruntime, 1 record',
    group: 'main',
    server: 'fastapi',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'fastapi-direct/1': {
    stack: 'fastapi-direct',
    label: 'peer: Gunicorn + uvicorn → FastAPI → onnxruntime, no nginx, 1 record',
    group: 'main',
    server: 'fastapi',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
    direct: true,
    levels: [1],
  },
  'peer-nginx/1': {
    stack: 'peer-nginx',
    label: 'peer: nginx → Gunicorn → Flask, 1 record',
    group: 'main',
    server: 'peer',
    path: '/predict_api',
    body: 'one',
    check: isNumber,
  },
  'ceiling-service/1': {
    stack: 'ceiling-service',
    label: 'ceiling: nginx → our Node service stack, constant /predict',
    group: 'main',
    server: 'ceiling-service',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'ceiling-hono/1': {
    stack: 'ceiling-hono',
    label: 'ceiling (informational): nginx → bare Hono constant',
    group: 'main',
    server: 'ceiling-hono',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'ceiling-hono-direct/1': {
    stack: 'ceiling-hono-direct',
    label: 'ceiling (informational): bare Hono constant, no nginx',
    group: 'main',
    server: 'ceiling-hono',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
    direct: true,
    levels: [1],
  },
  'ceiling-static/1': {
    stack: 'ceiling-static',
    label: 'ceiling: nginx static JSON',
    group: 'main',
    server: 'ours-nginx',
    path: '/nginx-health',
    body: 'one',
    check: (a) => (a as { status?: unknown })?.status === 'ok',
    proxyOnly: true,
  },
  'ours-nginx/64': {
    stack: 'ours-nginx',
    label: 'ours: nginx → service, 64 records',
    group: 'main',
    server: 'ours-nginx',
    path: '/predict',
    body: 'batch',
    check: manyAnswers,
  },
  'ours-direct/64': {
    stack: 'ours-direct',
    label: 'ours: service alone, 64 records',
    group: 'main',
    server: 'ours',
    path: '/predict',
    body: 'batch',
    check: manyAnswers,
  },
  'fastapi-nginx/64': {
    stack: 'fastapi-nginx',
    label: 'peer: nginx → Gunicorn + uvicorn → FastAPI → onnxruntime, 64 records',
    group: 'main',
    server: 'fastapi',
    path: '/predict',
    body: 'batch',
    check: manyAnswers,
  },
  'peer-nginx/64': {
    stack: 'peer-nginx',
    label: 'peer: nginx → Gunicorn → Flask, 64 records',
    group: 'main',
    server: 'peer',
    path: '/predict_api',
    body: 'batch',
    check: flaskMany,
  },
  'heavy-batching-on/1': {
    stack: 'heavy-on',
    label: 'heavy model, batching on',
    group: 'batching',
    server: 'heavy-on',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
  'heavy-batching-off/1': {
    stack: 'heavy-off',
    label: 'heavy model, batching off',
    group: 'batching',
    server: 'heavy-off',
    path: '/predict',
    body: 'one',
    check: oneAnswer,
  },
} as const satisfies Record<string, TargetSpec>;

/** A target's id: `<stack>/<records per request>`, one of {@link targetSpecs}. */
export type TargetId = keyof typeof targetSpecs;

/** Every target id, in the report's order. */
export const targetIds = Object.keys(targetSpecs) as TargetId[];

/** The ids a `--only` filter keeps: those containing one of the parts (all when empty). */
export function selectTargets(only: readonly string[]): TargetId[] {
  return targetIds.filter((id) => only.length === 0 || only.some((part) => id.includes(part)));
}

/** The servers the given targets need (so that a filtered run starts only those). */
export function serversFor(ids: readonly TargetId[]): Set<ServerId> {
  return new Set(ids.map((id) => targetSpecs[id].server));
}

/** One thing the load generator hits: a stack, a path and a request body. */
export interface Target {
  readonly id: TargetId;
  readonly stack: StackId;
  readonly label: string;
  readonly group: 'main' | 'batching';
  readonly url: string;
  readonly body: string;
  /** Records per request. */
  readonly rows: number;
  readonly running: Running;
  readonly check: (answer: unknown) => boolean;
  /** Connection counts it is measured at (see {@link TargetSpec.levels}); all when undefined. */
  readonly levels?: readonly number[];
}

/** The targets `ids` on the running servers, with the two request bodies filled in. */
export function buildTargets(
  ids: readonly TargetId[],
  servers: Servers,
  bodies: Readonly<Record<BodyKind, string>>,
): Target[] {
  return ids.map((id) => {
    const spec: TargetSpec = targetSpecs[id];
    const running = servers[spec.server];
    if (!running) throw new Error(`${id}: the ${spec.server} server was not started`);
    if (spec.direct && running.directUrl === undefined) {
      throw new Error(`${id}: the ${spec.server} server has no proxy to go past`);
    }
    const { proxy: _proxy, ...alone } = running;
    return {
      id,
      stack: spec.stack,
      label: spec.label,
      group: spec.group,
      url: `${spec.direct ? running.directUrl : running.url}${spec.path}`,
      body: bodies[spec.body],
      rows: bodyRows[spec.body],
      running: spec.proxyOnly ? { ...running, app: [] } : spec.direct ? alone : running,
      check: spec.check,
      ...(spec.levels && { levels: spec.levels }),
    };
  });
}
