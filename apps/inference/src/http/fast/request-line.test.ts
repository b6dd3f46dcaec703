import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.ts';
import { formatRequestLine, type RequestLineFields, requestLineWriter } from './request-line.ts';

/** What the service's pino logger writes for the same request, parsed. */
function viaPino(fields: RequestLineFields): Record<string, unknown> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ destination: destination as never });
  const { method, path, route, status, seconds, userAgent, trace, requestId, client } = fields;
  logger.info(
    {
      requestId,
      client,
      ...trace,
      method,
      path,
      route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      httpRequest: {
        requestMethod: method,
        requestUrl: path,
        status,
        latency: `${seconds.toFixed(6)}s`,
        userAgent,
      },
    },
    `${method} ${path} ${status}`,
  );
  return JSON.parse(lines[0] ?? '');
}

const base: RequestLineFields = {
  requestId: 'abc-123',
  client: undefined,
  method: 'POST',
  path: '/predict',
  route: '/predict',
  status: 200,
  seconds: 0.0012345,
  userAgent: 'wrk',
  trace: undefined,
};

describe('formatRequestLine', () => {
  it.each([
    ['a plain request', base],
    ['a traced request', { ...base, trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) } }],
    ['no user agent', { ...base, userAgent: undefined }],
    ['an API key client', { ...base, client: 'mobile-app.v2' }],
    [
      'strings that need escaping',
      { ...base, path: '/x"\\\n\u2028é', userAgent: 'a "quoted" \\ agent', requestId: 'q"x' },
    ],
    ['an error status, slow', { ...base, status: 503, seconds: 12.5, route: 'unmatched' }],
  ])('writes the object pino would write: %s', (_name, fields) => {
    const line = formatRequestLine(fields);
    expect(line.endsWith('}\n')).toBe(true);
    const ours = JSON.parse(line);
    const reference = viaPino(fields);
    expect(typeof ours.time).toBe('string');
    expect(Date.parse(ours.time)).not.toBeNaN();
    expect({ ...ours, time: 'T' }).toEqual({ ...reference, time: 'T' });
  });

  it("carries a child logger's bindings where pino puts them (a worker's slot)", () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => lines.push(line) };
    const worker = createLogger({ destination }).child({ worker: 2 });
    requestLineWriter(worker)(base);
    worker.info({ requestId: 'x' }, 'pino');
    const [ours, theirs] = lines.map((line) => JSON.parse(line));
    expect(ours.worker).toBe(2);
    expect(Object.keys(ours).slice(0, 4)).toEqual(Object.keys(theirs).slice(0, 4));
  });

  it('writes nothing above the info level', () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => lines.push(line) };
    requestLineWriter(createLogger({ level: 'warn', destination }))(base);
    expect(lines).toEqual([]);
    requestLineWriter(createLogger({ level: 'info', destination }))(base);
    expect(lines).toHaveLength(1);
  });
});
