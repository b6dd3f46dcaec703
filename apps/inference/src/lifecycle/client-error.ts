import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode, errorBody } from '@modelship/contract';
import { defaultAlways } from '../http/envelope.ts';
import { type ParserRefusal, type ParserRefusalCode, refusalCodeOf } from './parser-refusals.ts';

/** A raw HTTP/1.1 error response in the contract's body, closing the connection. */
interface RawResponse {
  /** Status line and the headers before the request id. */
  readonly head: string;
  /** The headers after it, the blank line and the body. */
  readonly tail: string;
}

const securityHeaders = Object.entries(defaultAlways)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

function rawResponse(code: ErrorCode, reason: string, message: string): RawResponse {
  const body = JSON.stringify(errorBody(code, message));
  return {
    head: `HTTP/1.1 ${ERROR_CODES[code]} ${reason}\r\nContent-Type: application/json\r\n${securityHeaders}`,
    tail: `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  };
}

// Built once: a flood of malformed requests costs a lookup and a write each.
const HEADERS_TOO_LARGE = rawResponse(
  'header_fields_too_large',
  'Request Header Fields Too Large',
  'The request headers are too large.',
);
const BODY_TOO_LARGE = rawResponse(
  'payload_too_large',
  'Payload Too Large',
  'The chunk extensions of the request body are too large.',
);
const TIMEOUT = rawResponse(
  'request_timeout',
  'Request Timeout',
  'The request did not arrive in time.',
);
const MALFORMED = rawResponse(
  'bad_request',
  'Bad Request',
  'The request is not valid HTTP/1.1 (request line, header or body framing).',
);

/** The answer to each of Node's parser errors, as Node picks its own bare ones. */
const RESPONSES: Readonly<Record<ParserRefusalCode, RawResponse>> = {
  header_fields_too_large: HEADERS_TOO_LARGE,
  payload_too_large: BODY_TOO_LARGE,
  request_timeout: TIMEOUT,
  bad_request: MALFORMED,
};

/** Writes the answer and closes; a client that never reads or closes cannot hold the socket. */
function answer(socket: Duplex, code: ParserRefusalCode): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { head, tail } = RESPONSES[code];
  // A request id like every other answer's (no request reached the log: it only tells answers apart).
  socket.end(`${head}X-Request-Id: ${randomUUID()}\r\n${tail}`);
  socket.once('finish', () => socket.destroy());
}

/**
 * The server's `clientError` listener: a request Node's parser refuses (before any route sees
 * it) is answered in the contract's JSON instead of Node's empty `400 Bad Request`, then the
 * connection closes, and `onRefusal` hears of it (a reset connection is no refusal). A response
 * under way for an earlier request on the connection finishes first; one whose headers are out
 * cannot take the error (the socket is closed). Never throws.
 *
 * @see https://nodejs.org/api/http.html#event-clienterror
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  onRefusal?: (refusal: ParserRefusal) => void,
): void {
  try {
    if (error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code = refusalCodeOf(error.code);
    try {
      // Never the error itself: its `rawPacket` holds the request's bytes (keys included).
      const { remoteAddress } = socket as Duplex & { remoteAddress?: string };
      onRefusal?.({ code, parserCode: error.code, remoteAddress });
    } catch {
      // Reporting never stands in the way of the answer.
    }
    // `_httpMessage`: the response Node is writing on this connection, null between responses.
    const current = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!current) answer(socket, code);
    else if (current.req.complete) {
      // An earlier (pipelined) request's answer: the refused request comes after it.
      let answered = false;
      const then = () => {
        if (!answered) answer(socket, code);
        answered = true;
      };
      current.once('finish', then).once('close', then);
    } else if (!current.headersSent) answer(socket, code);
    else socket.destroy();
  } catch {
    socket.destroy();
  }
}

const MISSING_HOST = JSON.stringify(
  errorBody('bad_request', 'An HTTP/1.1 request must carry a Host header.'),
);

/**
 * True (and answered in the contract's JSON) for an HTTP/1.1 request without a Host header,
 * which HTTP/1.1 requires; Node's own check (`requireHostHeader`) answers an empty 400.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2
 */
export function refusedWithoutHost(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.headers.host !== undefined || request.httpVersion !== '1.1') return false;
  response.writeHead(ERROR_CODES.bad_request, {
    'Content-Type': 'application/json',
    ...defaultAlways,
    'X-Request-Id': randomUUID(),
    'Content-Length': Buffer.byteLength(MISSING_HOST),
    Connection: 'close',
  });
  response.end(MISSING_HOST);
  return true;
}
