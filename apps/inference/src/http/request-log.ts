import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../deps.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RequestTracker } from './request-tracker.ts';
import { parseTraceContext, traceLogFields } from './trace-context.ts';

/** Options of {@link requestLog}. */
export interface RequestLogOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly requests: RequestTracker;
  /** Google Cloud project for Cloud Logging's trace fields. @default undefined (generic fields only) */
  readonly traceProject?: string | undefined;
}

/** The route template that answered (`/predict`, `/v2/models/:name`), or `unmatched`. */
function routeLabel(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  // Middleware is registered on wildcard paths; the last non-wildcard match is the route.
  const routes = matchedRoutes(c).filter((route) => !route.path.endsWith('*'));
  return routes.at(-1)?.path ?? 'unmatched';
}

/**
 * One structured log line and the HTTP metrics per request: method, path, status, duration
 * and request id, plus Cloud Logging's `httpRequest` object and, for a traced request
 * (`traceparent` or `X-Cloud-Trace-Context`), its trace and span ids. Runs outside `onError`'s
 * mapping, so it sees the status the client gets. Route labels are templates, never raw
 * paths, so that metric cardinality stays bounded.
 *
 * @see https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#HttpRequest
 */
export function requestLog(options: RequestLogOptions): MiddlewareHandler<AppEnv> {
  const { logger, metrics, requests, traceProject } = options;
  return async function requestLog(c, next) {
    const started = process.hrtime.bigint();
    const traceFields = traceLogFields(
      parseTraceContext({
        traceparent: c.req.header('traceparent'),
        cloudTraceContext: c.req.header('x-cloud-trace-context'),
      }),
      traceProject,
    );
    c.set('traceLogFields', traceFields);
    const done = requests.start();
    metrics.httpInFlight.inc();
    try {
      await next();
    } finally {
      done();
      metrics.httpInFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = c.res.status;
      const labels = { method: c.req.method, route: routeLabel(c), status: String(status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const path = c.req.path;
      logger.info(
        {
          requestId: c.get('requestId'),
          ...traceFields,
          method: c.req.method,
          path,
          route: labels.route,
          status,
          durationMs: Math.round(seconds * 1e6) / 1e3,
          httpRequest: {
            requestMethod: c.req.method,
            requestUrl: path,
            status,
            latency: `${seconds.toFixed(6)}s`,
            userAgent: c.req.header('user-agent'),
          },
        },
        `${c.req.method} ${path} ${status}`,
      );
    }
  };
}
