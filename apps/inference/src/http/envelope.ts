import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import type { ApiKeys } from '../auth/api-keys.ts';
import type { AppEnv } from '../deps.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Readiness } from '../readiness.ts';
import { requestHeader } from './fast/request-header.ts';
import { requestIdCharacters, requestLineWriter } from './fast/request-line.ts';
import type { RequestTracker } from './request-tracker.ts';
import { parseTraceContext, traceLogFields } from './trace-context.ts';

/** Options of {@link requestEnvelope}. */
export interface RequestEnvelopeOptions {
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'http'>;
  readonly requests: RequestTracker;
  readonly readiness: Pick<Readiness, 'state'>;
  /** Counts each client's answered requests. @default undefined (no API keys) */
  readonly apiKeys?: Pick<ApiKeys, 'count'> | undefined;
  /** Google Cloud project for Cloud Logging's trace fields. @default undefined (generic fields only) */
  readonly traceProject?: string | undefined;
  /**
   * Headers every response carries (JSON included); a route may replace them (an HTML page
   * sets its own `Content-Security-Policy`).
   * @default nosniff and `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`
   */
  readonly always?: Readonly<Record<string, string>>;
}

/** The trace fields of an untraced request: one shared empty object. */
const untraced: Readonly<Record<string, string | boolean>> = Object.freeze({});

/** The request id header, read from the client and echoed back. */
const REQUEST_ID_HEADER = 'X-Request-Id';
/** The same name as Node's parser gives it, for {@link requestHeader}. */
const requestIdLookup = REQUEST_ID_HEADER.toLowerCase() as Lowercase<string>;

/** The minimal set for API responses: no MIME sniffing, nothing to load, no framing. */
export const defaultAlways: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * Context variables: the headers every answer carries (request id, security headers) as one
 * plain object, and whether the route's answer ({@link respondJson}) already carries them.
 */
const BASE_HEADERS = 'baseHeaders';
const FAST = 'respondedWithBaseHeaders';

const htmlMediaType = /^text\/html\b/i;
const maxIdLength = 255;

/**
 * The request id: the client's `X-Request-Id` when it is 1..255 characters of `[A-Za-z0-9_=-]`
 * (what nginx's `$request_id` and most proxies send, so a proxied request costs no UUID), else
 * a new UUID.
 */
function requestIdOf(given: string | undefined): string {
  if (
    given !== undefined &&
    given.length > 0 &&
    given.length <= maxIdLength &&
    requestIdCharacters.test(given)
  ) {
    return given;
  }
  return crypto.randomUUID();
}

/** The route template that answered (`/predict`, `/v2/models/:name`), or `unmatched`. */
function routeTemplate(c: Context<AppEnv>): string {
  // Middleware is registered on wildcard paths; the last non-wildcard match is the route.
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i -= 1) {
    const path = routes[i]?.path;
    if (path !== undefined && !path.endsWith('*')) return path;
  }
  return 'unmatched';
}

/** What the envelope keeps of one request from its first byte to its answer. */
export interface RequestScope {
  readonly requestId: string;
  /** The trace fields of a traced request ({@link traceLogFields}), else undefined. */
  readonly trace: Readonly<Record<string, string | boolean>> | undefined;
  /** The headers every answer carries: the request id, then the security headers. */
  readonly base: Record<string, string>;
  /** `performance.now()` when the request came in. */
  readonly started: number;
  /** Ends the request's in-flight count (once). */
  readonly done: () => void;
  /** The API key's client, once the request presented a valid key. */
  client: string | undefined;
}

/** How a request was answered, for its metrics and its log line. */
export interface RequestOutcome {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** The route template that answered (`/predict`), or `unmatched`. */
  readonly route: string;
  readonly status: number;
  readonly userAgent: string | undefined;
}

/**
 * The envelope's work around a request, apart from the framework: Hono's
 * {@link requestEnvelope} and the fast lane (`src/http/fast/native-lane.ts`) both open and close
 * every request through it, so both answer with the same headers, metrics and log line.
 */
export interface RequestScopes {
  /** Opens a request's scope from its headers (`header` takes a lowercase name). */
  open(header: (name: Lowercase<string>) => string | undefined): RequestScope;
  /** Whether answers must close their connection (the service is stopping). */
  stopping(): boolean;
  /** Closes a scope once answered: the in-flight count, the HTTP metrics, the log line. */
  close(scope: RequestScope, outcome: RequestOutcome): void;
}

/** Creates the {@link RequestScopes} of a service (see {@link requestEnvelope}). */
export function createRequestScopes(options: RequestEnvelopeOptions): RequestScopes {
  const { metrics, requests, readiness, traceProject, apiKeys } = options;
  const always = Object.entries(options.always ?? defaultAlways);
  const writeLine = requestLineWriter(options.logger);
  return {
    open(header) {
      const started = performance.now();
      const requestId = requestIdOf(header(requestIdLookup));
      const traceparent = header('traceparent');
      const cloudTrace = header('x-cloud-trace-context');
      const trace =
        traceparent === undefined && cloudTrace === undefined
          ? undefined
          : traceLogFields(
              parseTraceContext({ traceparent, cloudTraceContext: cloudTrace }),
              traceProject,
            );
      // Assignments from `{}`, never a spread: every answer's headers share one hidden class.
      const base: Record<string, string> = {};
      base[REQUEST_ID_HEADER] = requestId;
      for (const [name, value] of always) base[name] = value;
      return { requestId, trace, base, started, done: requests.start(), client: undefined };
    },
    stopping: () => readiness.state === 'stopping' || readiness.state === 'stopped',
    close(scope, outcome) {
      scope.done();
      const seconds = (performance.now() - scope.started) / 1e3;
      const { method, route, status } = outcome;
      metrics.http.observe(metrics.http.series(method, route, status), seconds);
      const { client } = scope;
      if (client !== undefined) apiKeys?.count(client, status);
      writeLine({
        requestId: scope.requestId,
        client,
        method,
        path: outcome.path,
        route,
        status,
        seconds,
        userAgent: outcome.userAgent,
        trace: scope.trace,
      });
    },
  };
}

/**
 * Everything the service does around every request, in one middleware
 * ({@link createRequestScopes}): the request id (echoed back), security headers (hono's full
 * `secureHeaders` on HTML), `Connection: close` once stopping (so keep-alive clients let the
 * drain finish), the in-flight count, the HTTP metrics by route template, and one log line with
 * Cloud Logging's `httpRequest` and trace fields. It runs outside `onError`, so it logs and
 * counts the status the client gets.
 *
 * @see https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#HttpRequest
 * @see https://owasp.org/www-project-secure-headers/
 */
export function requestEnvelope(options: RequestEnvelopeOptions): MiddlewareHandler<AppEnv> {
  const scopes = createRequestScopes(options);
  const forHtml = secureHeaders({ overwrite: false });
  const nothing = async () => {};

  return async function requestEnvelope(c, next) {
    const scope = scopes.open((name) => requestHeader(c, name));
    c.set('requestId', scope.requestId);
    c.set('traceLogFields', scope.trace ?? untraced);
    c.set(BASE_HEADERS, scope.base);
    try {
      await next();
    } finally {
      if (c.get(FAST) !== true) {
        // Any other answer (errors, pages, documents): add what the route did not set.
        const { base } = scope;
        for (const name in base) if (!c.res.headers.has(name)) c.header(name, base[name]);
        const type = c.res.headers.get('content-type');
        if (type !== null && htmlMediaType.test(type)) await forHtml(c, nothing);
      }
      if (scopes.stopping()) c.header('Connection', 'close');
      scope.client = c.get('client');
      scopes.close(scope, {
        method: c.req.method,
        path: c.req.path,
        route: routeTemplate(c),
        status: c.res.status,
        userAgent: requestHeader(c, 'user-agent'),
      });
    }
  };
}

/**
 * A JSON answer whose headers stay a plain object down to the socket: the envelope's (request
 * id, security headers), `Content-Type` and the route's own `headers`. Use it on hot routes
 * instead of `c.header()` + `c.json()`, which build a web `Headers` object per response.
 */
export function respondJson(
  c: Context<AppEnv>,
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): Response {
  const base = c.get(BASE_HEADERS);
  c.set(FAST, base !== undefined);
  return new Response(JSON.stringify(body), { status, headers: jsonHeaders(base, headers) });
}

/**
 * The headers of a JSON answer: the envelope's (request id, security headers), then
 * `Content-Type`, then the route's own. Built by assignments in a fixed order from an empty
 * object (see the envelope), so that every answer's headers share one hidden class.
 */
export function jsonHeaders(
  base: Readonly<Record<string, string>> | undefined,
  own: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const all: Record<string, string> = {};
  for (const name in base) all[name] = base[name] as string;
  all['Content-Type'] = 'application/json';
  if (own) for (const name in own) all[name] = own[name] as string;
  return all;
}
