import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** What @hono/node-server passes as `c.env`: the Node request the web request wraps. */
interface NodeBindings {
  readonly incoming?: IncomingMessage;
}

/**
 * A request header by its lowercase name, as Node's HTTP parser gave it.
 *
 * Served by @hono/node-server, the value comes from the `IncomingMessage`'s own header object,
 * which Node builds for every request anyway (it reads `expect` from it): one property read.
 * `c.req.header()` goes through node-server's web `Headers` emulation instead, which tests the
 * name with a regular expression, lowercases it and checks the value again on every call; a
 * prediction makes seven lookups, and reading Node's object instead saved 4.4 µs of CPU per
 * request behind nginx (apps/bench/PROFILING.md). Node's parser has already refused names and
 * values that HTTP does not allow. Duplicates are Node's: joined with `, `, except for the
 * headers it keeps only the first of (`content-type`, `content-length`, `user-agent`, ...).
 *
 * Anywhere else (`app.request()` in tests, another runtime) it is `c.req.header()`.
 *
 * @example
 * const type = requestHeader(c, 'content-type');
 */
export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  return nodeHeader(incoming.headers, name);
}

/** A header from Node's parsed header object, by its lowercase name (see {@link requestHeader}). */
export function nodeHeader(
  headers: IncomingHttpHeaders,
  name: Lowercase<string>,
): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
