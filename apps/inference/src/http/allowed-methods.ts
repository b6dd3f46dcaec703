import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { MethodNotAllowedError } from '../errors.ts';

/** A route of a Hono app (`app.routes`): its method (`ALL` for middleware) and path pattern. */
interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/**
 * The methods each path pattern answers, from an app's routes, sorted (`HEAD` wherever `GET`,
 * as Hono answers it). Middleware (`ALL`) answers nothing by itself.
 */
export function allowedMethods(routes: readonly RouteEntry[]): Map<string, readonly string[]> {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    if (method === 'ALL') continue;
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    byPath.set(path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, [...methods].sort()]));
}

/** Answers any method but `allow`'s 405 with `Allow`, before anything else looks at the request. */
export function allowOnly(allow: readonly string[]): MiddlewareHandler<AppEnv> {
  return async function allowOnly(c, next) {
    if (!allow.includes(c.req.method)) {
      throw new MethodNotAllowedError(c.req.method, c.req.path, allow);
    }
    await next();
  };
}
