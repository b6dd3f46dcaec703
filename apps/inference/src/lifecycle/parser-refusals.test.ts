import { insuranceSchema } from '@modelship/insurance-model';
import { freePort, linearModel, writeModelDir } from '@modelship/testkit';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../service.ts';
import { loopbackConfig, memoryLogger } from '../testing/fake-deps.ts';
import { rawExchange } from '../testing/raw-http.ts';
import { parserRefusalReporter } from './parser-refusals.ts';

/** `http_parser_refusals_total` by code, from a /metrics text. */
function refusals(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, code, n] of text.matchAll(/^http_parser_refusals_total\{code="(\w+)"\} (\d+)$/gm)) {
    out[code as string] = Number(n);
  }
  return out;
}

const secret = 'ms_parser-secret-0123456789abcdefghijklmnopqrst';

describe("requests Node's parser refuses are logged and counted", () => {
  const { logger, lines } = memoryLogger();
  let service: Service;
  let probePort: number;
  const metrics = async () =>
    refusals(await (await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`)).text());
  beforeAll(async () => {
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    probePort = await freePort();
    const config = loopbackConfig({ MODEL_DIR: dir, PROBE_PORT: String(probePort) });
    service = await startService({ config, logger, exit: () => {} });
  });
  afterAll(() => service.shutdown.begin('test done'));

  it('counts each by the code answered, on every listener, and logs it without its bytes', async () => {
    expect(await metrics()).toEqual({
      bad_request: 0,
      request_timeout: 0,
      header_fields_too_large: 0,
      payload_too_large: 0,
    });
    const before = lines.length;
    for (const port of [service.port, service.ops?.port ?? 0, probePort]) {
      await rawExchange(
        port,
        `GET /secret-path HTTP/1.1\r\nHost: a\r\nBad Header: ${secret}\r\n\r\n`,
      );
    }
    await rawExchange(
      service.port,
      `POST /predict HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${secret}\r\nX-Big: ${'s'.repeat(20_000)}\r\n\r\n`,
    );
    expect(await metrics()).toMatchObject({ bad_request: 3, header_fields_too_large: 1 });

    const logged = lines.slice(before).filter((l) => String(l.message).startsWith('HTTP parser'));
    expect(logged).toHaveLength(4);
    for (const line of logged) {
      expect(line).toMatchObject({ severity: 'WARNING', remoteAddress: '127.0.0.1' });
      expect(line.parserCode).toMatch(/^HPE_[A-Z_]+$/);
    }
    expect(logged.at(-1)).toMatchObject({
      code: 'header_fields_too_large',
      parserCode: 'HPE_HEADER_OVERFLOW',
      message:
        'HTTP parser refused a request (HPE_HEADER_OVERFLOW): answered header_fields_too_large',
    });
    const text = JSON.stringify(lines);
    for (const leak of [secret, 'secret-path', 'sssssssss', 'Bad Header']) {
      expect(text).not.toContain(leak);
    }
  });
});

describe('the refusal reporter', () => {
  function reporter() {
    const { logger, lines } = memoryLogger();
    const registry = new Registry();
    const counter = new Counter({
      name: 'refusals',
      help: 'test',
      labelNames: ['code'],
      registers: [registry],
    });
    let clock = 0;
    const report = parserRefusalReporter({
      logger,
      counter,
      linesPerSecond: 5,
      burst: 20,
      now: () => clock,
    });
    const count = async () => (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
    return { report, lines, count, advance: (ms: number) => (clock += ms) };
  }

  it('logs at most its rate under a flood, counts every refusal, and says how many went unlogged', async () => {
    const { report, lines, count, advance } = reporter();
    const refusal = {
      code: 'bad_request',
      parserCode: 'HPE_INVALID_METHOD',
      remoteAddress: '10.0.0.7',
    } as const;
    for (let i = 0; i < 1000; i += 1) report(refusal);
    expect(lines).toHaveLength(20);
    expect(await count()).toBe(1000);
    advance(1000);
    for (let i = 0; i < 10; i += 1) report(refusal);
    // One second refills 5 lines: the first says how many were left out before it.
    expect(lines).toHaveLength(25);
    expect(lines[20]).toMatchObject({ unlogged: 980, remoteAddress: '10.0.0.7' });
    expect(lines[21]?.unlogged).toBeUndefined();
    expect(await count()).toBe(1010);
  });

  it('writes a code that is not one of Node’s identifiers as "other"', () => {
    const { report, lines } = reporter();
    report({
      code: 'bad_request',
      parserCode: 'weird code\nwith a newline',
      remoteAddress: undefined,
    });
    report({ code: 'request_timeout', parserCode: undefined, remoteAddress: undefined });
    expect(lines.map((l) => l.parserCode)).toEqual(['other', 'other']);
  });
});
