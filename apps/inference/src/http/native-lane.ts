import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpError } from '../errors.ts';
import type { Readiness } from '../readiness.ts';
import type { AnswerOfBody } from '../routes/predict.ts';
import { jsonHeaders, type RequestScope, type RequestScopes } from './envelope.ts';
import type { ErrorOrigin } from './error-handler.ts';
import { jsonBodyFraming, parseJson } from './json-body.ts';
import { nodeHeader } from './request-header.ts';

/** A route the lane answers: `POST` to exactly `path` with a JSON body. */
export interface NativeRoute {
  /** The request target. */
  readonly path: string;
  /** The route template of its metrics and log line, as Hono names it. @default path */
  readonly template?: string;
  /** The answer to a parsed body (e.g. `predictAnswer`); throws an HttpError to refuse. */
  readonly answer: AnswerOfBody;
  /** The body of a refusal, as the route's Hono `onError` writes it. @default `mapped.toBody()` */
  readonly errorBody?: (mapped: HttpError) => unknown;
}

/** Options of {@link nativeLane}. */
export interface NativeLaneOptions {
  /** The envelope's request scopes: the same request id, headers, metrics and log line. */
  readonly scopes: RequestScopes;
  /** The service's error mapping (`errorMapper`). */
  readonly mapError: (error: unknown, origin: ErrorOrigin) => HttpError;
  readonly readiness: Pick<Readiness, 'serving'>;
  /** Largest accepted body in bytes (BODY_LIMIT). */
  readonly maxBytes: number;
  /** Most keys of any object in a body (`bodyLimits`). @default no limit */
  readonly maxObjectKeys?: number;
  readonly routes: readonly NativeRoute[];
}

/**
 * Takes a request from Node's HTTP server and answers it, or returns false, having touched
 * nothing, for the web framework to answer.
 */
export type NativeLane = (request: IncomingMessage, response: ServerResponse) => boolean;

/** The body's bytes; rejects if the request fails or is cut off before its end. */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    request.on('error', reject);
    // `close` follows `end` on every request: only a body cut short is an error (and only then
    // is one made: an Error's stack trace cost 5 % of the service's CPU when made every time).
    request.on('close', () => {
      if (!request.complete) reject(new Error('the request was cut off before its body ended'));
    });
  });
}

/**
 * The prediction routes' lane beside Hono (`/predict`, `/predict_api`, the OIP infer route):
 * Node's request and response objects, from the parsed headers to one `writeHead` + `end`, for the requests that make up a prediction
 * service's load (`POST` of a JSON body framed by Content-Length, within the body limit, while
 * the model is serving). Everything else, including every request it would refuse before
 * reading the body (415, 413, 503, a chunked body, another method or a query string), goes to
 * Hono untouched, which answers it as before.
 *
 * The lane adds no behaviour of its own: the request id, trace fields, security headers,
 * `Connection: close` while stopping, the in-flight count, metrics and the log line come from
 * the envelope's {@link RequestScopes}; the body's framing and parsing from `json-body.ts`; the
 * answer from the route's own function; errors from `errorMapper`. A test sends the same
 * requests through both paths and compares the answers, log lines and metrics
 * (`native-lane.test.ts`).
 *
 * Why: Hono on @hono/node-server wraps every request in a web `Request`, dispatches it through
 * its router, context and middleware chain, and turns the returned `Response` back into Node
 * calls. For a prediction that was 15 % of the service's CPU: behind nginx at 32 connections,
 * 48.8 against 41.6 µs of service CPU per request, 20,666 against 23,874 req/s
 * (apps/bench/PROFILING.md).
 */
export function nativeLane(options: NativeLaneOptions): NativeLane {
  const { scopes, mapError, readiness, maxBytes, maxObjectKeys } = options;
  const routes = new Map(options.routes.map((route) => [route.path, route]));
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
    const route = routes.get(request.url as string);
    if (route === undefined || !readiness.serving) return false;
    const { headers } = request;
    try {
      const framing = jsonBodyFraming(
        {
          contentType: nodeHeader(headers, 'content-type'),
          contentLength: nodeHeader(headers, 'content-length'),
          transferEncoding: nodeHeader(headers, 'transfer-encoding'),
        },
        maxBytes,
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
        path: route.path,
        route: route.template ?? route.path,
        status,
        userAgent: nodeHeader(headers, 'user-agent'),
      });
    readBody(request)
      .then((bytes) =>
        route.answer(parseJson(decoder.decode(bytes), maxObjectKeys), scope.requestId),
      )
      // Serialized here, so that an answer that cannot be is a mapped 500, as on Hono's path.
      .then((answer) => [200, JSON.stringify(answer.body), answer.headers] as const)
      .catch((error: unknown) => {
        const origin = { requestId: scope.requestId, trace: scope.trace, path: route.path };
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
