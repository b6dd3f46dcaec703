import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { ContractError, InternalError } from '../errors.ts';
import { defaultAlways } from '../http/envelope.ts';
import type { NativeLane } from '../http/fast/native-lane.ts';
import { answerClientError, refusedWithoutHost } from './client-error.ts';
import type { ParserRefusal } from './parser-refusals.ts';

/** Options of {@link listen}. */
export interface ListenOptions {
  /** @default 8080; 0 picks a free port */
  readonly port?: number;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /**
   * Milliseconds an idle keep-alive connection stays open. It must exceed the proxy's upstream
   * keepalive timeout (nginx: 60 s), so that the proxy, not the service, closes idle
   * connections: otherwise nginx may send a request on a connection Node is closing at that
   * very moment, and a POST cannot be retried (the classic 502).
   * @default 65000
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Milliseconds a request may take to arrive whole (Node's `requestTimeout`, checked every
   * second at most); past it the `clientError` listener answers 408 and closes the connection.
   * @default 90000
   */
  readonly requestTimeoutMs?: number;
  /** Answers the requests it takes before Hono sees them (the prediction routes' lane). */
  readonly lane?: NativeLane;
  /** Hears of each request Node's parser refused (logs and counts them). @default none */
  readonly onRefusal?: (refusal: ParserRefusal) => void;
}

/**
 * @hono/node-server's answer to a request it cannot make a URL of (a Host such as `a@b` or
 * `a?b`, a malformed target): the JSON error body instead of a bare 400.
 */
function unusableRequest(cause: unknown): Response {
  const error =
    cause instanceof RequestError
      ? new ContractError('bad_request', "The request's Host header or target is not valid.")
      : new InternalError({ cause });
  return new Response(JSON.stringify(error.toBody()), {
    status: error.status,
    headers: {
      'Content-Type': 'application/json',
      ...defaultAlways,
      'X-Request-Id': randomUUID(),
    },
  });
}

/** A listening HTTP server. */
export interface Listening {
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly host: string;
}

/**
 * Starts the Node HTTP server for an app and resolves once it listens. `headersTimeout` is set
 * just above `keepAliveTimeout` (a Node recommendation, so a slow request's headers never race
 * the idle timer), within `requestTimeout` (Node requires it).
 *
 * @see https://nodejs.org/api/http.html#serverkeepalivetimeout
 */
export function listen(app: Hono<AppEnv>, options: ListenOptions = {}): Promise<Listening> {
  const {
    port = 8080,
    host = '0.0.0.0',
    keepAliveTimeoutMs = 65_000,
    requestTimeoutMs = 90_000,
  } = options;
  return new Promise((resolve, reject) => {
    const { lane } = options;
    // What @hono/node-server's `serve` does, with the lane (if any) in front of Hono.
    const hono = getRequestListener(app.fetch, { hostname: host, errorHandler: unusableRequest });
    // Node's own refusals (parser errors, a missing Host) are answered in the error contract.
    const server = createServer(
      {
        requireHostHeader: false,
        requestTimeout: requestTimeoutMs,
        headersTimeout: Math.min(keepAliveTimeoutMs + 1000, requestTimeoutMs),
        // Node's default (30 s) would let a request outlive its timeout by up to that long.
        connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
      },
      (request, response) => {
        if (refusedWithoutHost(request, response)) return;
        if (lane === undefined || !lane(request, response)) void hono(request, response);
      },
    );
    const { onRefusal } = options;
    server.on('clientError', (error, socket) => answerClientError(error, socket, onRefusal));
    server.listen(port, host);
    server.keepAliveTimeout = keepAliveTimeoutMs;
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ server, port: address.port, host: address.address });
    });
  });
}
