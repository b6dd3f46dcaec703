import type { IncomingMessage } from 'node:http';
import { maxRecordKeys } from '@modelship/feature-schema';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from '../deps.ts';
import {
  ClientClosedRequestError,
  HttpError,
  MalformedJsonError,
  PayloadTooLargeError,
  TooManyKeysError,
  UnsupportedMediaTypeError,
} from '../errors.ts';
import { requestHeader } from './fast/request-header.ts';
import { hasObjectOfMoreKeys } from './json-keys.ts';

/** Options of {@link jsonBodyReader}. */
export interface JsonBodyOptions {
  /** Largest accepted body in bytes (BODY_LIMIT). @default 1048576 */
  readonly maxBytes?: number;
  /** Most keys of any object in the body (413 beyond). @default no limit */
  readonly maxObjectKeys?: number;
}

/** The limits of a prediction route's body: BODY_LIMIT, and keys for a record plus a margin. */
export function bodyLimits(deps: Pick<AppDeps, 'config' | 'model'>): Required<JsonBodyOptions> {
  return { maxBytes: deps.config.BODY_LIMIT, maxObjectKeys: maxRecordKeys(deps.model.schema) };
}

/** `application/json` or any `application/*+json`, parameters (charset) allowed. */
const jsonMediaType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Parses the body text: 413 if an object has more than `maxObjectKeys` keys, 400 unless it parses. */
export function parseJson(text: string, maxObjectKeys = Number.POSITIVE_INFINITY): unknown {
  if (hasObjectOfMoreKeys(text, maxObjectKeys)) throw new TooManyKeysError(maxObjectKeys);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError({ cause: error });
  }
}

/**
 * Checks a JSON request's headers before its body is read: 415 unless Content-Type is JSON;
 * 413 if its Content-Length exceeds `maxBytes`. Returns `length` for a body framed by
 * Content-Length (and no Transfer-Encoding): Node's HTTP parser delivers exactly that many
 * bytes, so the header check is the whole limit; `stream` for a chunked body, whose bytes
 * must be counted as they arrive.
 *
 * @throws {UnsupportedMediaTypeError} | {PayloadTooLargeError}
 */
export function jsonBodyFraming(
  headers: {
    readonly contentType: string | undefined;
    readonly contentLength: string | undefined;
    readonly transferEncoding: string | undefined;
  },
  maxBytes: number,
): 'length' | 'stream' {
  const { contentType, contentLength } = headers;
  if (!contentType || !jsonMediaType.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  if (contentLength === undefined || headers.transferEncoding !== undefined) return 'stream';
  // Node's parser has already refused a malformed Content-Length (400), so this is digits.
  if (!(Number(contentLength) <= maxBytes)) throw new PayloadTooLargeError(maxBytes);
  return 'length';
}

/** A client gone before its body ended, as the error to answer instead of `error`. */
function closedByClient(c: Context<AppEnv>, error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const gone = incoming !== undefined && !incoming.complete;
  return gone ? new ClientClosedRequestError({ cause: error }) : error;
}

/**
 * Returns the function that reads a request's body as JSON: 415 unless Content-Type is JSON;
 * 413 as soon as the body exceeds `maxBytes` (from Content-Length before reading, or while a
 * chunked body streams in, never buffered beyond it); 413 for an object of more than
 * `maxObjectKeys` keys; 400 unless it parses. Only chunked bodies
 * go through `hono/body-limit`, which needs a web stream around the request.
 *
 * @example
 * const readBody = jsonBodyReader({ maxBytes: config.BODY_LIMIT });
 * app.post('/predict', async (c) => c.json(await readBody(c)));
 */
export function jsonBodyReader(
  options: JsonBodyOptions = {},
): (c: Context<AppEnv>) => Promise<unknown> {
  const { maxBytes = 1_048_576, maxObjectKeys } = options;
  const tooLarge = () => {
    throw new PayloadTooLargeError(maxBytes);
  };
  const limit = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  const readJsonBody = async (c: Context<AppEnv>): Promise<unknown> => {
    const framing = jsonBodyFraming(
      {
        contentType: requestHeader(c, 'content-type'),
        contentLength: requestHeader(c, 'content-length'),
        transferEncoding: requestHeader(c, 'transfer-encoding'),
      },
      maxBytes,
    );
    if (framing === 'length') {
      const text = await c.req.text();
      // Defence in depth for a body no HTTP parser framed (in-process `app.request`). A UTF-8
      // byte becomes at most one UTF-16 unit and a unit comes from at most 3 bytes, so the
      // exact count is only needed near the limit.
      if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) tooLarge();
      return parseJson(text, maxObjectKeys);
    }
    let body: unknown;
    await limit(c, async () => {
      body = parseJson(await c.req.text(), maxObjectKeys);
    });
    return body;
  };
  return async (c) => {
    try {
      return await readJsonBody(c);
    } catch (error) {
      throw closedByClient(c, error);
    }
  };
}
