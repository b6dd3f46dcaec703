import { type Logger, pino } from 'pino';

/** What one request's log line says. */
export interface RequestLineFields {
  readonly requestId: string;
  /** The API key's client (a name of the key file: `[A-Za-z0-9._-]`), if any. */
  readonly client: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The route template (`/predict`, `/v2/models/:name/infer`) or `unmatched`. */
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
  readonly userAgent: string | undefined;
  /** The trace fields of a traced request ({@link traceLogFields}), else none. */
  readonly trace: Readonly<Record<string, string | boolean>> | undefined;
}

/**
 * The characters a request id may hold (`[A-Za-z0-9_=-]`): the envelope takes a client's id only
 * when it is made of them, and such an id needs no escaping in JSON.
 */
export const requestIdCharacters = /^[\w=-]*$/;

/** `"time":"…"` in RFC 3339, computed once per millisecond. */
let lastMs = -1;
let lastTime = '';
function timeField(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = new Date(now).toISOString();
  }
  return lastTime;
}

/** `JSON.stringify(text)`, remembered for the last two texts (a path and its route, mostly). */
const lastJson = ['', '""', '', '""'];
function jsonString(text: string): string {
  if (text === lastJson[0]) return lastJson[1] as string;
  if (text === lastJson[2]) return lastJson[3] as string;
  const json = JSON.stringify(text);
  lastJson[2] = lastJson[0] as string;
  lastJson[3] = lastJson[1] as string;
  lastJson[0] = text;
  lastJson[1] = json;
  return json;
}

/** An object's members as `,"k":v,...` to splice into a line (empty for an empty object). */
function membersOf(object: Readonly<Record<string, unknown>>): string {
  const json = JSON.stringify(object);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/**
 * One request's log line, built by hand: the JSON object pino would write for
 * `logger.info({ requestId, ...trace, method, path, route, status, durationMs, httpRequest },
 * message)`, without its generic serializer. Client strings (path, user agent) go through
 * `JSON.stringify`; the rest are numbers, templates and tokens the HTTP parser checked.
 * `bindings` are a child logger's fields as `,"k":v` members, where pino puts them.
 *
 * @see https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#HttpRequest
 */
export function formatRequestLine(fields: RequestLineFields, bindings = ''): string {
  const { method, status, seconds } = fields;
  const path = jsonString(fields.path);
  const requestId = requestIdCharacters.test(fields.requestId)
    ? `"${fields.requestId}"`
    : JSON.stringify(fields.requestId);
  const trace = fields.trace === undefined ? '' : membersOf(fields.trace);
  const client = fields.client === undefined ? '' : `,"client":${JSON.stringify(fields.client)}`;
  const userAgent =
    fields.userAgent === undefined ? '' : `,"userAgent":${JSON.stringify(fields.userAgent)}`;
  const durationMs = Math.round(seconds * 1e6) / 1e3;
  // The method is an HTTP token and the status digits: escaping the message is escaping the path.
  const message = `"${method} ${path.slice(1, -1)} ${status}"`;
  return (
    `{"severity":"INFO","time":"${timeField()}"${bindings},"requestId":${requestId}${client}${trace}` +
    `,"method":"${method}","path":${path},"route":${jsonString(fields.route)}` +
    `,"status":${status},"durationMs":${durationMs}` +
    `,"httpRequest":{"requestMethod":"${method}","requestUrl":${path},"status":${status}` +
    `,"latency":"${seconds.toFixed(6)}s"${userAgent}},"message":${message}}\n`
  );
}

/** Where a pino logger writes, so that prebuilt lines go the same way as its own. */
interface LineSink {
  write(line: string): unknown;
}

/**
 * Writes request lines through the logger's own destination (the buffered stdout of
 * `createStdoutDestination`, or a test's capture), with the logger's bindings (a child
 * logger's fields), at its `info` level: nothing is written when the
 * level is above `info`.
 */
export function requestLineWriter(logger: Logger): (fields: RequestLineFields) => void {
  const sink = (logger as unknown as Record<symbol, LineSink | undefined>)[pino.symbols.streamSym];
  if (sink === undefined) throw new Error('the logger has no destination stream');
  const bindings = membersOf(logger.bindings() as Record<string, string | boolean>);
  return (fields) => {
    if (logger.isLevelEnabled('info')) sink.write(formatRequestLine(fields, bindings));
  };
}
