import { connect, createServer, type Socket } from 'node:net';
import { ERROR_CODES, errorBodySchema } from '@modelship/contract';
import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../service.ts';
import { loopbackConfig, memoryLogger } from '../testing/fake-deps.ts';
import { rawExchange } from '../testing/raw-http.ts';
import { answerClientError } from './client-error.ts';

/** The status, headers (lower-cased) and JSON error code of one raw answer. */
function parseAnswer(raw: string) {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = raw.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = raw.slice(end + 4);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Sends each request once the previous answer arrived, on one connection; all it received. */
function keepAliveExchange(port: number, requests: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const pending = [...requests];
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const next = pending.shift();
      if (next !== undefined) socket.write(next);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(pending.shift() ?? '');
  });
}

// What Node's parser refuses before any route (or the lane) sees the request.
const malformed: Record<string, { raw: string; code: keyof typeof ERROR_CODES }> = {
  'a request line that is not HTTP': { raw: 'GARBAGE\r\n\r\n', code: 'bad_request' },
  'an unknown HTTP version': {
    raw: 'GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n',
    code: 'bad_request',
  },
  'a header name with a space': {
    raw: 'GET /healthz HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n',
    code: 'bad_request',
  },
  'a control character in a header value': {
    raw: 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: a\u0001b\r\n\r\n',
    code: 'bad_request',
  },
  'headers over the limit': {
    raw: `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    code: 'header_fields_too_large',
  },
  'HTTP/1.1 without Host': {
    raw: 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n',
    code: 'bad_request',
  },
  'a Content-Length that is not a number': {
    raw: 'POST /predict HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n',
    code: 'bad_request',
  },
  'both Content-Length and Transfer-Encoding': {
    raw: 'POST /predict HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    code: 'bad_request',
  },
  'a chunk size that is not hexadecimal': {
    raw: 'POST /predict?x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    code: 'bad_request',
  },
};

describe("requests Node's parser refuses, sent to the service directly", () => {
  let service: Service;
  let ports: Record<'serving' | 'operational', number>;
  beforeAll(async () => {
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    const config = loopbackConfig({ MODEL_DIR: dir });
    service = await startService({ config, logger: memoryLogger().logger, exit: () => {} });
    ports = { serving: service.port, operational: service.ops?.port ?? Number.NaN };
  });
  afterAll(() => service.shutdown.begin('test done'));

  for (const listener of ['serving', 'operational'] as const) {
    it.each(Object.entries(malformed))(
      `${listener} listener: %s is answered in the error contract and the connection closes`,
      async (_, { raw, code }) => {
        const answer = parseAnswer(await rawExchange(ports[listener], raw));
        expect(answer.status).toBe(ERROR_CODES[code]);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(answer.headers.connection).toBe('close');
        expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
        expect(answer.headers['content-security-policy']).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        );
        expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
        expect(errorBodySchema.parse(JSON.parse(answer.body)).error.code).toBe(code);
      },
    );
  }

  it('answers a malformed request after a served one on the same keep-alive connection', async () => {
    const raw = await keepAliveExchange(ports.serving, [
      'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n',
      'GARBAGE\r\n\r\n',
    ]);
    const second = raw.indexOf('HTTP/1.1', 1);
    expect(parseAnswer(raw.slice(0, second)).status).toBe(200);
    const refused = parseAnswer(raw.slice(second));
    expect(refused.status).toBe(400);
    expect(errorBodySchema.parse(JSON.parse(refused.body)).error.code).toBe('bad_request');
  });

  it('answers a pipelined request before refusing the malformed one behind it', async () => {
    const raw = await rawExchange(
      ports.serving,
      'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n',
    );
    const second = raw.indexOf('HTTP/1.1', 1);
    expect(parseAnswer(raw.slice(0, second)).status).toBe(200);
    expect(parseAnswer(raw.slice(second)).status).toBe(400);
  });

  it('still serves HTTP/1.0 without Host (nginx-style clients of old)', async () => {
    const answer = parseAnswer(await rawExchange(ports.serving, 'GET /healthz HTTP/1.0\r\n\r\n'));
    expect(answer.status).toBe(200);
  });
});

describe('answerClientError on a bare socket', () => {
  /** Calls the handler with `code` on the server side of a fresh connection; what the client got. */
  async function answerOn(code: string, before: (socket: Socket) => void = () => {}) {
    let thrown: unknown;
    const server = createServer((socket) => {
      before(socket);
      try {
        answerClientError(Object.assign(new Error(code), { code }), socket);
      } catch (error) {
        thrown = error;
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const received = await new Promise<string>((resolve) => {
      let text = '';
      const client = connect(port, '127.0.0.1');
      client.setEncoding('utf8');
      client.on('data', (chunk: string) => {
        text += chunk;
      });
      client.on('error', () => resolve(text));
      client.on('close', () => resolve(text));
    });
    await new Promise((resolve) => server.close(resolve));
    return { received, thrown };
  }

  it("answers Node's request timeout with a 408 in the contract", async () => {
    const { received } = await answerOn('ERR_HTTP_REQUEST_TIMEOUT');
    const answer = parseAnswer(received);
    expect(answer.status).toBe(408);
    expect(errorBodySchema.parse(JSON.parse(answer.body)).error.code).toBe('request_timeout');
  });

  it('writes nothing and does not throw on a socket already destroyed', async () => {
    const { received, thrown } = await answerOn('HPE_INVALID_METHOD', (socket) => socket.destroy());
    expect({ received, thrown }).toEqual({ received: '', thrown: undefined });
  });

  it('closes a reset connection without an answer', async () => {
    const { received } = await answerOn('ECONNRESET');
    expect(received).toBe('');
  });
});
