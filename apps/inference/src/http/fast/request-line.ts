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

/** `JSON.stringify(text)`, remembered for the last three texts (a path, its route, a user agent). */
const lastJson = ['', '""', '', '""', '', '""'];
function jsonString(text: string): string {
  for (let i = 0; i < lastJson.length; i += 2)
    if (text === lastJson[i]) return lastJson[i + 1] as string;
  const json = JSON.stringify(text);
  lastJson.copyWithin(2, 0, 4);
  lastJson[0] = text;
  lastJson[1] = json;
  return json;
}

/** A JSON string without its quotes (the message's path), remembered for the last one. */
let lastQuoted = '""';
let lastInner = '';
function innerOf(json: string): string {
  if (json !== lastQuoted) {
    lastQuoted = json;
    lastInner = json.slice(1, -1);
  }
  return lastInner;
}

/** An object's members as `,"k":v,...` to splice into a line (empty for an empty object). */
function membersOf(object: Readonly<Record<string, unknown>>): string {
  const json = JSON.stringify(object);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

// The line's pieces, joined into one string: `join` makes the line in one allocation, where
// `+` would first build a tree of ~30 intermediate strings. `formatRequestLine` sets the
// request's slots; the others are constants.
const parts: (string | number)[] = [
  '{"severity":"INFO","time":"',
  '',
  '"',
  '',
  ',"requestId":',
  '',
  '',
  '',
  '',
  '',
  ',"method":"',
  '',
  '","path":',
  '',
  ',"route":',
  '',
  ',"status":',
  0,
  ',"durationMs":',
  0,
  ',"httpRequest":{"requestMethod":"',
  '',
  '","requestUrl":',
  '',
  ',"status":',
  0,
  ',"latency":"',
  '',
  's"',
  '',
  '',
  '},"message":"',
  '',
  ' ',
  '',
  ' ',
  0,
  '"}\n',
];

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
  const { method, status, seconds, requestId, userAgent } = fields;
  const path = jsonString(fields.path);
  const plainId = requestIdCharacters.test(requestId);
  parts[1] = timeField();
  parts[3] = bindings;
  parts[5] = plainId ? '"' : '';
  parts[6] = plainId ? requestId : JSON.stringify(requestId);
  parts[7] = parts[5];
  parts[8] = fields.client === undefined ? '' : `,"client":${JSON.stringify(fields.client)}`;
  parts[9] = fields.trace === undefined ? '' : membersOf(fields.trace);
  parts[11] = method;
  parts[13] = path;
  parts[15] = jsonString(fields.route);
  parts[17] = status;
  parts[19] = Math.round(seconds * 1e6) / 1e3;
  parts[21] = method;
  parts[23] = path;
  parts[25] = status;
  parts[27] = seconds.toFixed(6);
  parts[29] = userAgent === undefined ? '' : ',"userAgent":';
  parts[30] = userAgent === undefined ? '' : jsonString(userAgent);
  // The method is an HTTP token and the status digits: escaping the message is escaping the path.
  parts[32] = method;
  parts[34] = innerOf(path);
  parts[36] = status;
  return parts.join('');
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
