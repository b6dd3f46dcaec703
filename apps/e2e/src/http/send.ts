import { type Agent, request } from 'node:http';
import type { Readable } from 'node:stream';

/** An HTTP request for {@link send}. */
export interface SendInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** A string or bytes (sent with Content-Length), or a stream (sent chunked). */
  readonly body?: string | Buffer | Readable;
  /** Give up (and reject) after this many ms without an answer. @default 30000 */
  readonly timeoutMs?: number;
  /** Connection reuse; default a fresh connection per request. */
  readonly agent?: Agent;
}

/** A complete HTTP response. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Header name/value pairs as received (duplicates kept). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly text: string;
}

/** Every value received for one header (case-insensitive), duplicates included. */
export function headerValues(reply: Reply, name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index + 1 < reply.rawHeaders.length; index += 2) {
    if (reply.rawHeaders[index]?.toLowerCase() === name.toLowerCase()) {
      values.push(reply.rawHeaders[index + 1] ?? '');
    }
  }
  return values;
}

/** Parses a reply's body as JSON, or returns undefined when it is not JSON. */
export function jsonOf(reply: Reply): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    return undefined;
  }
}

/**
 * Sends one HTTP request to `baseUrl + path` and reads the whole response. A server that
 * answers early (e.g. 413 before the body is sent) still yields its answer: write errors after
 * a response arrived are ignored, as browsers and load balancers do.
 */
export function send(baseUrl: string, path: string, init: SendInit = {}): Promise<Reply> {
  const { method = 'GET', headers = {}, body, timeoutMs = 30_000, agent } = init;
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: path.startsWith('/') ? path : url.pathname + url.search,
        method,
        headers: {
          ...(typeof body === 'string' || Buffer.isBuffer(body)
            ? { 'content-length': Buffer.byteLength(body) }
            : {}),
          ...headers,
        },
        agent: agent ?? false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          // Answered before the whole body was sent (e.g. 413): stop sending, free the socket.
          if (!req.writableFinished) req.destroy();
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: bytes,
            text: bytes.toString('utf8'),
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
    } else {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

/** POSTs a JSON value (Content-Type application/json). */
export function postJson(
  baseUrl: string,
  path: string,
  value: unknown,
  init: Omit<SendInit, 'body' | 'method'> = {},
): Promise<Reply> {
  return send(baseUrl, path, {
    ...init,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(value),
  });
}
