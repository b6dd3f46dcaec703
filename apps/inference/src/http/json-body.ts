import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../deps.ts';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';

/** Options of {@link jsonBody}. */
export interface JsonBodyOptions {
  /** Largest accepted body in bytes (BODY_LIMIT). @default 1048576 */
  readonly maxBytes?: number;
}

/** `application/json` or any `application/*+json`, parameters (charset) allowed. */
const jsonMediaType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads the request body as JSON into `c.get('jsonBody')`, in this order:
 * 415 unless Content-Type is JSON; 413 as soon as the body exceeds `maxBytes` (from
 * Content-Length before reading, or while streaming a chunked body, so that a huge body is
 * never buffered); 400 unless it parses.
 *
 * @example
 * app.post('/predict', jsonBody({ maxBytes: config.BODY_LIMIT }), (c) => c.json(c.get('jsonBody')));
 */
export function jsonBody(options: JsonBodyOptions = {}): MiddlewareHandler<AppEnv> {
  const { maxBytes = 1_048_576 } = options;
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
  return async function jsonBody(c, next) {
    const contentType = c.req.header('content-type');
    if (!contentType || !jsonMediaType.test(contentType)) {
      throw new UnsupportedMediaTypeError(contentType);
    }
    await limit(c, async () => {
      const text = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new MalformedJsonError({ cause: error });
      }
      c.set('jsonBody', body);
      await next();
    });
  };
}
