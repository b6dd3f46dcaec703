import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeys } from '../../auth/api-keys.ts';
import { ClientClosedRequestError, type HttpError, RateLimitedError } from '../../errors.ts';
import type { Readiness } from '../../readiness.ts';
import { lanePathOf, type PredictionRoute } from '../../routes/prediction-route.ts';
import { jsonHeaders, type RequestScope, type RequestScopes } from '../envelope.ts';
import type { ErrorOrigin } from '../error-handler.ts';
import { jsonBodyFraming, parseJson } from '../json-body.ts';
import { nodeHeader } from './request-header.ts';

/** Options of {@link nativeLane}. */
export interface NativeLaneOptions {
  /** The envelope's request scopes: the same request id, headers, metrics and log line. */
  readonly scopes: RequestScopes;
  /** The service's error mapping (`errorMapper`). */
  readonly mapError: (error: unknown, origin: ErrorOrigin) => HttpError;
  readonly readiness: Pick<Readiness, 'serving'>;
  /** API keys: each request is admitted before its body is read. @default undefined (none) */
  readonly apiKeys?: Pick<ApiKeys, 'admit'> | undefined;
  /** Largest accepted body in bytes (BODY_LIMIT). */
  readonly maxBytes: number;
  /** Most keys of any object in a body (`bodyLimits`). @default no limit */
  readonly maxObjectKeys?: number;
  /** The prediction routes; the lane takes those with a fixed request target. */
  readonly routes: readonly PredictionRoute[];
}

/**
 * Takes a request from Node's HTTP server and answers it, or returns false, having touched
 * nothing, for the web framework to answer.
 */
export type NativeLane = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * A host name or IPv4 address, with an optional port: what every server accepts. Anything else
 * is left for Hono's server to accept or refuse.
 */
const plainHost =
  /^[a-z0-9.-]+(?::(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?$/;

/** The body's bytes; a body cut short is a {@link ClientClosedRequestError}. */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const cutShort = (cause?: unknown) =>
      reject(new ClientClosedRequestError(cause === undefined ? {} : { cause }));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    request.on('error', (error) => (request.complete ? reject(error) : cutShort(error)));
    // `close` follows `end` on every request; an Error (and its stack) only for a body cut short.
    request.on('close', () => {
      if (!request.complete) cutShort();
    });
  });
}

/**
 * Answers the prediction routes on Node's own request and response, in front of Hono: a
 * `POST` of a JSON body framed by `Content-Length`, within the limit, while serving. Anything
 * else (415, 413, 503, chunked bodies, query strings, an unusual Host, other methods and paths)
 * goes to Hono untouched. The envelope's scopes, the body checks, the route's answer and the error mapping
 * are Hono's path's own; `native-lane.test.ts` holds both paths to the same answers.
 *
 * @see ./README.md
 */
export function nativeLane(options: NativeLaneOptions): NativeLane {
  const { scopes, mapError, readiness, maxBytes, maxObjectKeys, apiKeys } = options;
  const routes = new Map<string, PredictionRoute>();
  for (const route of options.routes) {
    const path = lanePathOf(route);
    if (path !== undefined) routes.set(path, route);
  }
  const decoder = new TextDecoder();

  /** Writes an answer: {@link jsonHeaders}, then `Connection: close` if stopping, the length. */
  const send = (
    response: ServerResponse,
    scope: RequestScope,
    answer: readonly [status: number, json: string, extra: Readonly<Record<string, string>>],
  ) => {
    const [status, json, extra] = answer;
    const headers = jsonHeaders(scope.base, extra);
    if (scopes.stopping()) headers.Connection = 'close';
    headers['Content-Length'] = String(Buffer.byteLength(json));
    response.writeHead(status, headers);
    response.end(json);
  };

  return (request, response) => {
    if (request.method !== 'POST') return false;
    const target = request.url as string;
    const route = routes.get(target);
    if (route === undefined || !readiness.serving) return false;
    const { headers } = request;
    const host = nodeHeader(headers, 'host');
    if (host === undefined || !plainHost.test(host)) return false;
    try {
      const framing = jsonBodyFraming(
        {
          contentType: nodeHeader(headers, 'content-type'),
          contentLength: nodeHeader(headers, 'content-length'),
          transferEncoding: nodeHeader(headers, 'transfer-encoding'),
        },
        route.maxBytes ?? maxBytes,
      );
      if (framing !== 'length') return false;
    } catch {
      // Hono refuses it with the same error.
      return false;
    }
    const scope = scopes.open((name) => nodeHeader(headers, name));
    const answered = (status: number) =>
      scopes.close(scope, {
        method: 'POST',
        path: target,
        route: route.path,
        status,
        userAgent: nodeHeader(headers, 'user-agent'),
      });
    const origin = { requestId: scope.requestId, trace: scope.trace, path: target };
    if (apiKeys !== undefined) {
      try {
        scope.client = apiKeys.admit((name) => nodeHeader(headers, name));
      } catch (error) {
        // As Hono's guard answers it: the service's error body on every route; the body unread.
        if (error instanceof RateLimitedError) scope.client = error.client;
        const mapped = mapError(error, origin);
        try {
          send(response, scope, [mapped.status, JSON.stringify(mapped.toBody()), mapped.headers]);
        } finally {
          answered(mapped.status);
        }
        request.resume();
        return true;
      }
    }
    readBody(request)
      .then((bytes) =>
        route.answer(
          parseJson(decoder.decode(bytes), maxObjectKeys),
          scope.requestId,
          scope.client,
        ),
      )
      // Serialized here, so that an answer that cannot be is a mapped 500, as on Hono's path.
      .then((answer) => [200, JSON.stringify(answer.body), answer.headers] as const)
      .catch((error: unknown) => {
        const mapped = mapError(error, origin);
        const body = route.errorBody ? route.errorBody(mapped) : mapped.toBody();
        return [mapped.status, JSON.stringify(body), mapped.headers] as const;
      })
      .then((answer) => {
        try {
          send(response, scope, answer);
        } finally {
          answered(answer[0]);
        }
      })
      // Only if writing failed (e.g. the socket is gone): nothing more can be sent.
      .catch(() => response.destroy());
    return true;
  };
}
