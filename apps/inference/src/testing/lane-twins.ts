// Test helper: one app served twice from the same dependencies, by Hono alone and with the
// prediction lane in front, so that a test can send a request to both and compare what each
// answered, logged and counted, knowing whether the lane took it.
import { createApp, createPredictionLane } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import type { NativeLane } from '../http/fast/native-lane.ts';
import { type Listening, listen } from '../lifecycle/listen.ts';

/** One request's outcome on one server. */
export interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The log lines the request wrote, without their timings. */
  readonly lines: Record<string, unknown>[];
  /** `http_requests_total` series that moved, with how much. */
  readonly counted: Record<string, number>;
  /** Whether the lane answered it. */
  readonly taken: boolean;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A generated request id, or the id the client sent. */
export const idOf = (id: unknown) => (typeof id === 'string' && uuid.test(id) ? '<generated>' : id);

/** A log line without what differs between two equal requests (time, duration, generated id). */
export function withoutTimings(line: Record<string, unknown>): Record<string, unknown> {
  const { time: _time, durationMs: _duration, httpRequest, requestId, error, ...rest } = line;
  const request = httpRequest as Record<string, unknown> | undefined;
  return {
    ...rest,
    requestId: idOf(requestId),
    ...(request ? { httpRequest: { ...request, latency: typeof request.latency } } : {}),
    // An internal error's stack differs by path; its type and message must not.
    ...(error ? { error: (error as { message?: string }).message } : {}),
  };
}

/** The two servers of {@link serveTwins}. */
export interface Twins {
  readonly hono: Listening;
  readonly laned: Listening;
  /** Sends a request to one server and returns what it answered, logged and counted. */
  exchange(server: Listening, path: string, init: RequestInit): Promise<Exchange>;
  /** Sends the request to both servers (Hono's first). */
  both(path: string, init: () => RequestInit): Promise<{ hono: Exchange; lane: Exchange }>;
  close(): Promise<void>;
}

/** Serves `createApp(deps)` on two loopback ports, the second with the prediction lane. */
export async function serveTwins(
  deps: AppDeps,
  lines: readonly Record<string, unknown>[],
): Promise<Twins> {
  const app = createApp(deps);
  const lane = createPredictionLane(deps);
  let taken = 0;
  const counting: NativeLane = (request, response) => {
    const took = lane(request, response);
    if (took) taken += 1;
    return took;
  };
  const hono = await listen(app, { port: 0, host: '127.0.0.1' });
  const laned = await listen(app, { port: 0, host: '127.0.0.1', lane: counting });

  const requestCounts = async () => {
    const metric = (await deps.metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'http_requests_total',
    );
    const counts: Record<string, number> = {};
    for (const value of (metric?.values ?? []) as { labels: object; value: number }[]) {
      counts[JSON.stringify(value.labels)] = value.value;
    }
    return counts;
  };

  const exchange = async (server: Listening, path: string, init: RequestInit) => {
    const linesBefore = lines.length;
    const takenBefore = taken;
    const countsBefore = await requestCounts();
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, init);
    // A generated id may appear in the body too (the OIP answer's `id`).
    const body = (await response.text()).replace(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
      '<generated>',
    );
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'date') headers[name] = name === 'x-request-id' ? String(idOf(value)) : value;
    });
    const countsAfter = await requestCounts();
    const counted: Record<string, number> = {};
    for (const [series, value] of Object.entries(countsAfter)) {
      const moved = value - (countsBefore[series] ?? 0);
      if (moved !== 0) counted[series] = moved;
    }
    return {
      status: response.status,
      headers,
      body,
      lines: lines.slice(linesBefore).map(withoutTimings),
      counted,
      taken: taken > takenBefore,
    };
  };

  return {
    hono,
    laned,
    exchange,
    both: async (path, init) => ({
      hono: await exchange(hono, path, init()),
      lane: await exchange(laned, path, init()),
    }),
    async close() {
      for (const server of [hono, laned]) {
        server.server.closeAllConnections();
        await new Promise<void>((resolve) => server.server.close(() => resolve()));
      }
    },
  };
}
