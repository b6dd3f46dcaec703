import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** What @hono/node-server passes as `c.env`: the Node request the web request wraps. */
interface NodeBindings {
  readonly incoming?: IncomingMessage;
}

/**
 * A request header by its lowercase name: from Node's parsed header object when served by
 * @hono/node-server (one property read instead of `c.req.header()`'s `Headers` emulation),
 * else `c.req.header()`. Duplicates are joined as Node joins them.
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
