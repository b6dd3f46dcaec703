import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { NotReadyError } from '../errors.ts';
import type { Readiness } from '../readiness.ts';

/**
 * Refuses with 503 (+ Retry-After) unless the model is serving: while it warms up and after
 * the drain has finished. During the drain itself requests are still served, so that a
 * rollout drops none.
 */
export function requireServing(readiness: Readiness): MiddlewareHandler<AppEnv> {
  return async function requireServing(_c, next) {
    if (!readiness.serving) throw new NotReadyError(readiness.state);
    await next();
  };
}

/**
 * Once the listener is closed (`stopping`), answers every request with `Connection: close`,
 * so that a client holding a keep-alive connection (nginx's upstream pool) stops reusing it
 * and the drain can finish.
 */
export function closeConnectionsWhenStopping(readiness: Readiness): MiddlewareHandler<AppEnv> {
  return async function closeConnectionsWhenStopping(c, next) {
    await next();
    const state = readiness.state;
    if (state === 'stopping' || state === 'stopped') c.header('Connection', 'close');
  };
}
