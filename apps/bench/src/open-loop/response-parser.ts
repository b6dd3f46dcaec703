/**
 * Splits a keep-alive connection's bytes into HTTP/1.1 responses: status line, headers, a body
 * framed by `Content-Length`. What the open-loop client needs and nothing more: a response
 * without a length (chunked, or read to close) is an error, so that a target answering that way
 * fails loudly instead of being mismeasured.
 */

/** One complete response. */
export interface ParsedResponse {
  readonly status: number;
  /** The server asked to close the connection after it. */
  readonly close: boolean;
}

/** Thrown for bytes that are not a response this parser frames. */
export class ResponseParseError extends Error {
  override name = 'ResponseParseError';
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 16 * 1024;

/** Reads `name: value` lines (lower-cased names) of a response head. */
function headerValue(head: string, name: string): string | undefined {
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

/**
 * A parser for one connection: `push(bytes)` returns the responses those bytes completed, in
 * order (none while a response is still partial).
 */
export function responseParser(): { push(bytes: Buffer): ParsedResponse[] } {
  let pending: Buffer = Buffer.alloc(0);
  // The current response's head, once read: its status, close flag and body length.
  let current: { status: number; close: boolean; bodyBytes: number } | undefined;
  return {
    push(bytes) {
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      const done: ParsedResponse[] = [];
      for (;;) {
        if (current === undefined) {
          const end = pending.indexOf(HEADER_END);
          if (end < 0) {
            if (pending.length > MAX_HEAD_BYTES)
              throw new ResponseParseError('response head too long');
            return done;
          }
          const head = pending.subarray(0, end).toString('latin1');
          const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
          if (!match)
            throw new ResponseParseError(`not an HTTP/1.x status line: ${head.slice(0, 40)}`);
          const length = headerValue(head, 'content-length');
          if (length === undefined || !/^\d+$/.test(length)) {
            throw new ResponseParseError('a response without Content-Length');
          }
          current = {
            status: Number(match[1]),
            close: headerValue(head, 'connection')?.toLowerCase() === 'close',
            bodyBytes: Number(length),
          };
          pending = pending.subarray(end + HEADER_END.length);
        }
        if (pending.length < current.bodyBytes) return done;
        pending = pending.subarray(current.bodyBytes);
        done.push({ status: current.status, close: current.close });
        current = undefined;
      }
    },
  };
}
