import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeys } from '../../auth/api-keys.ts';
import { ClientClosedRequestError, type HttpError, RateLimitedError } from '../../errors.ts';
import type { Readiness } from '../../readiness.ts';
import {
  lanePathOf,
  type PredictionAnswer,
  type PredictionRoute,
} from '../../routes/prediction-route.ts';
import type { jsonHeaders, RequestScope, RequestScopes } from '../envelope.ts';
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

/**
 * Calls `done` once with the body's bytes, or with the error that ended it (a body cut short is
 * a {@link ClientClosedRequestError}): a callback, not a promise, so the answer starts in the
 * `end` event itself.
 */
function readBody(request: IncomingMessage, done: (error: unknown, bytes?: Buffer) => void): void {
  // One chunk, the usual small body, needs no list.
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let settled = false;
  const settle = (error: unknown, bytes?: Buffer) => {
    if (settled) return;
    settled = true;
    done(error, bytes);
  };
  request.on('data', (chunk: Buffer) => {
    if (first === undefined) first = chunk;
    else if (more === undefined) more = [first, chunk];
    else more.push(chunk);
  });
  request.on('end', () =>
    settle(undefined, more !== undefined ? Buffer.concat(more) : (first ?? Buffer.alloc(0))),
  );
  request.on('error', (error) =>
    settle(request.complete ? error : new ClientClosedRequestError({ cause: error })),
  );
  // `close` follows `end` on every request; an Error (and its stack) only for a body cut short.
  request.on('close', () => {
    if (!request.complete) settle(new ClientClosedRequestError({}));
  });
}

/** The headers of the request being opened: read by {@link scopeHeader} within `scopes.open`. */
let opening: IncomingMessage['headers'] = {};
const scopeHeader = (name: Lowercase<string>) => nodeHeader(opening, name);

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

  // Filled per answer and read by `writeHead` before it returns: no header object per answer.
  const headerList: string[] = [];

  /**
   * Writes an answer with {@link jsonHeaders}' headers in its order (an own header replaces an
   * envelope's of the same name), then `Connection: close` if stopping, and the length.
   */
  const send = (
    response: ServerResponse,
    scope: RequestScope,
    status: number,
    json: string,
    extra: Readonly<Record<string, string>> | undefined,
  ) => {
    let n = 0;
    const { base } = scope;
    for (const name in base) {
      headerList[n++] = name;
      headerList[n++] = base[name] as string;
    }
    headerList[n++] = 'Content-Type';
    headerList[n++] = 'application/json';
    for (const name in extra) {
      const value = extra[name] as string;
      const at = name in base || name === 'Content-Type' ? headerList.indexOf(name) : -1;
      if (at >= 0 && at < n && at % 2 === 0) headerList[at + 1] = value;
      else {
        headerList[n++] = name;
        headerList[n++] = value;
      }
    }
    if (scopes.stopping()) {
      headerList[n++] = 'Connection';
      headerList[n++] = 'close';
    }
    headerList[n++] = 'Content-Length';
    headerList[n++] = String(Buffer.byteLength(json));
    headerList.length = n;
    response.writeHead(status, headerList);
    response.end(json);
  };

  /** Closes the scope of an answered request (its metrics and log line). */
  const answered = (
    scope: RequestScope,
    request: IncomingMessage,
    route: PredictionRoute,
    status: number,
  ) =>
    scopes.close(scope, {
      method: 'POST',
      path: request.url as string,
      route: route.path,
      status,
      userAgent: nodeHeader(request.headers, 'user-agent'),
    });

  const originOf = (scope: RequestScope, request: IncomingMessage) => ({
    requestId: scope.requestId,
    trace: scope.trace,
    path: request.url as string,
  });

  /** Writes the answer and closes the scope (its metrics and log line). */
  const finish = (
    request: IncomingMessage,
    response: ServerResponse,
    route: PredictionRoute,
    scope: RequestScope,
    status: number,
    json: string,
    extra: Readonly<Record<string, string>> | undefined,
  ) => {
    try {
      try {
        send(response, scope, status, json, extra);
      } finally {
        answered(scope, request, route, status);
      }
    } catch {
      // Only if writing failed (e.g. the socket is gone): nothing more can be sent.
      response.destroy();
    }
  };

  /** Reads the body, answers it and closes the scope: callbacks, no async frame per request. */
  const serve = (
    request: IncomingMessage,
    response: ServerResponse,
    route: PredictionRoute,
    scope: RequestScope,
  ) => {
    const fail = (error: unknown) => {
      const mapped = mapError(error, originOf(scope, request));
      const json = JSON.stringify(route.errorBody ? route.errorBody(mapped) : mapped.toBody());
      finish(request, response, route, scope, mapped.status, json, mapped.headers);
    };
    readBody(request, (error, bytes) => {
      if (error !== undefined) return fail(error);
      let answer: Promise<PredictionAnswer>;
      try {
        const body = parseJson(decoder.decode(bytes), maxObjectKeys);
        answer = route.answer(body, scope.requestId, scope.client);
      } catch (thrown) {
        return fail(thrown);
      }
      answer.then((answered) => {
        let json: string;
        try {
          // Serialized here, so that an answer that cannot be is a mapped 500, as on Hono's path.
          json = JSON.stringify(answered.body);
        } catch (thrown) {
          return fail(thrown);
        }
        finish(request, response, route, scope, 200, json, answered.headers);
      }, fail);
    });
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
    opening = headers;
    const scope = scopes.open(scopeHeader);
    if (apiKeys !== undefined) {
      try {
        scope.client = apiKeys.admit(scopeHeader);
      } catch (error) {
        // As Hono's guard answers it: the service's error body on every route; the body unread.
        if (error instanceof RateLimitedError) scope.client = error.client;
        const mapped = mapError(error, originOf(scope, request));
        try {
          send(response, scope, mapped.status, JSON.stringify(mapped.toBody()), mapped.headers);
        } finally {
          answered(scope, request, route, mapped.status);
        }
        request.resume();
        return true;
      }
    }
    serve(request, response, route, scope);
    return true;
  };
}
