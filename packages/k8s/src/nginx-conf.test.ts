import { ERROR_CODES, errorBodySchema } from '@modelship/contract';
import { describe, expect, it } from 'vitest';
import { readNginxConfOptions, renderNginxConf } from './nginx-conf.ts';
import { block, d, quote, renderNodes } from './nginx-directives.ts';

/** The body of the first block whose header starts with `header` (one level of braces). */
function blockBody(conf: string, header: string): string {
  const start = conf.indexOf(`${header} {`);
  expect(start, `block "${header}"`).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = conf.indexOf('{', start); i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(conf.indexOf('{', start) + 1, i);
  }
  throw new Error(`unbalanced block ${header}`);
}

describe('nginx directive rendering', () => {
  it('quotes values that are not bare tokens and escapes quotes', () => {
    expect(quote('8080')).toBe('8080');
    expect(quote('$request_id')).toBe('$request_id');
    expect(quote('')).toBe("''");
    expect(quote('daemon off;')).toBe("'daemon off;'");
    expect(quote(`it's {"a":1}`)).toBe(`'it\\'s {"a":1}'`);
  });

  it('nests blocks with indentation', () => {
    expect(renderNodes([block('events', [], [d('worker_connections', 16)])])).toBe(
      'events {\n  worker_connections 16;\n}\n',
    );
  });
});

describe('renderNginxConf defaults', () => {
  const conf = renderNginxConf();

  it('listens on 8080 and proxies to 127.0.0.1:8081 through a keep-alive upstream', () => {
    expect(conf).toMatch(/^\s+listen 8080 default_server;$/m);
    const upstream = blockBody(conf, 'upstream modelship_inference');
    expect(upstream).toContain('server 127.0.0.1:8081;');
    expect(upstream).toContain('keepalive 256;');
    expect(upstream).toContain('keepalive_timeout 60s;');
    const root = blockBody(conf, 'location /');
    expect(root).toContain('proxy_pass http://modelship_inference;');
    expect(root).toContain('proxy_http_version 1.1;');
    expect(root).toContain("proxy_set_header Connection '';");
  });

  it('limits bodies to BODY_LIMIT and answers 413 with the service-style JSON error', () => {
    expect(conf).toContain('client_max_body_size 1048576;');
    expect(conf).toContain('error_page 413 /_modelship/errors/413;');
    const body = blockBody(conf, 'location = /_modelship/errors/413').match(
      /return 413 '(.*)';/,
    )?.[1];
    expect(JSON.parse(body ?? 'null')).toEqual({
      error: {
        code: 'payload_too_large',
        message: 'The request body exceeds 1048576 bytes.',
        details: [],
      },
    });
  });

  it('answers 502, 503 and 504 with JSON bodies', () => {
    for (const status of [502, 503, 504]) {
      expect(conf).toContain(`error_page ${status} /_modelship/errors/${status};`);
      const body = blockBody(conf, `location = /_modelship/errors/${status}`).match(
        /return \d+ '(.*)';/,
      )?.[1];
      expect(JSON.parse(body ?? 'null').error.code).toMatch(/^[a-z_]+$/);
    }
  });

  it('writes a JSON access log with the request id and upstream timings to stdout', () => {
    const format = conf.match(/log_format modelship_json escape=json '(.*)';/)?.[1] ?? '';
    // Replace nginx variables by sample values: the template must then be valid JSON.
    const sample = JSON.parse(format.replace(/\$[a-z_]+/g, '0'));
    expect(Object.keys(sample)).toEqual(
      expect.arrayContaining([
        'request_id',
        'status',
        'request_time',
        'upstream_response_time',
        'upstream_connect_time',
      ]),
    );
    expect(conf).toContain(
      'access_log /dev/stdout modelship_json buffer=4k flush=100ms if=$modelship_loggable;',
    );
    expect(conf).toContain('error_log stderr warn;');
  });

  it("passes the caller's request id on, or a fresh one", () => {
    const map = blockBody(conf, 'map $http_x_request_id $modelship_request_id');
    expect(map).toContain('default $request_id;');
    expect(map).toContain("'~^[A-Za-z0-9_=-]{1,255}$' $http_x_request_id;");
    expect(blockBody(conf, 'location /')).toContain('proxy_hide_header X-Request-Id;');
    expect(blockBody(conf, 'location /')).toContain(
      'proxy_set_header X-Request-Id $modelship_request_id;',
    );
  });

  it('hides the version, compresses JSON, keeps clients longer than the load balancer', () => {
    expect(conf).toContain('server_tokens off;');
    expect(conf).toMatch(/gzip_types application\/json .*;/);
    expect(conf).toContain('keepalive_timeout 75s;');
    expect(renderNginxConf({ clientKeepaliveTimeoutSeconds: 620 })).toContain(
      'keepalive_timeout 620s;',
    );
  });

  it('answers its own health location without the service', () => {
    const health = blockBody(conf, 'location = /nginx-health');
    expect(health).toContain(`return 200 '{"status":"ok"}';`);
    expect(health).not.toContain('proxy_pass');
  });

  it('trusts X-Forwarded-For only from Google load balancers', () => {
    expect(conf).toContain('set_real_ip_from 130.211.0.0/22;');
    expect(conf).toContain('set_real_ip_from 35.191.0.0/16;');
    expect(conf).toContain('real_ip_header X-Forwarded-For;');
  });

  it('keeps every writable path under /tmp and includes no other file', () => {
    expect(conf).toContain('pid /tmp/nginx.pid;');
    for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(conf).toContain(`${kind}_temp_path /tmp/${kind}_temp;`);
    }
    expect(conf).not.toMatch(/^\s*include\s/m);
  });

  it('has no rate limiting unless asked', () => {
    expect(conf).not.toContain('limit_req');
  });
});

describe('renderNginxConf options', () => {
  it('moves the ports and the body limit', () => {
    const conf = renderNginxConf({ listenPort: 9000, upstreamPort: 9001, bodyLimitBytes: 2048 });
    expect(conf).toContain('listen 9000 default_server;');
    expect(conf).toContain('server 127.0.0.1:9001;');
    expect(conf).toContain('client_max_body_size 2048;');
    expect(conf).toContain('The request body exceeds 2048 bytes.');
  });

  it('rate-limits per client with a 429 JSON answer', () => {
    const conf = renderNginxConf({ rateLimit: { requestsPerSecond: 20, burst: 5 } });
    expect(conf).toContain(
      'limit_req_zone $binary_remote_addr zone=modelship_per_client:10m rate=20r/s;',
    );
    expect(blockBody(conf, 'location /')).toContain(
      'limit_req zone=modelship_per_client burst=5 nodelay;',
    );
    expect(conf).toContain('limit_req_status 429;');
    expect(blockBody(conf, 'location = /_modelship/errors/429')).toContain('"code":"rate_limited"');
    expect(blockBody(conf, `location = /nginx-health`)).not.toContain('limit_req');
  });

  it('can trust other proxies, or none', () => {
    expect(renderNginxConf({ realIp: { trustedCidrs: ['10.0.0.0/8'] } })).toContain(
      'set_real_ip_from 10.0.0.0/8;',
    );
    expect(renderNginxConf({ realIp: false })).not.toContain('real_ip');
  });

  it('logs probes only when asked', () => {
    expect(renderNginxConf().match(/~\^kube-probe\/ (\d);/)?.[1]).toBe('0');
    expect(renderNginxConf({ logProbes: true }).match(/~\^kube-probe\/ (\d);/)?.[1]).toBe('1');
  });

  it('answers the metrics path 404 on the public port and serves it on the metrics port only', () => {
    const conf = renderNginxConf({ metricsPort: 9102 });
    expect(blockBody(conf, 'location ^~ /metrics')).toContain('return 404 ');
    expect(blockBody(conf, 'location ^~ /metrics')).not.toContain('proxy_pass');
    expect(conf).toContain('listen 9102;');
    // To the service's operational listener, never its serving port.
    expect(blockBody(conf, 'location = /metrics')).toContain('proxy_pass http://127.0.0.1:8083;');
    const none = renderNginxConf({ metricsPort: false });
    expect(none).not.toContain('location = /metrics');
    expect(none).toContain('location ^~ /metrics {');
  });

  it('turns gzip off and moves the health path and temp dir', () => {
    const conf = renderNginxConf({ gzip: false, healthPath: '/_nginx', tempDir: '/run/nginx' });
    expect(conf).toContain('gzip off;');
    expect(conf).toContain('location = /_nginx {');
    expect(conf).toContain('pid /run/nginx/nginx.pid;');
  });

  it.each([
    [{ listenPort: 0 }, "'listenPort' (0) must be an integer in 1..65535"],
    [{ bodyLimitBytes: 1.5 }, "'bodyLimitBytes' (1.5)"],
    [{ healthPath: 'health' }, `'healthPath' ("health")`],
    [{ healthPath: '/a;b' }, `'healthPath' ("/a;b")`],
    [{ upstreamHost: 'a b' }, `'upstreamHost' ("a b")`],
    [{ realIp: { trustedCidrs: ['10.0.0.0/33'] } }, `'realIp.trustedCidrs[0]' ("10.0.0.0/33")`],
    [{ rateLimit: { requestsPerSecond: 0 } }, "'rateLimit.requestsPerSecond' (0)"],
    [{ metricsPort: 8080 }, "'metricsPort' (8080) must differ from listenPort and upstreamPort"],
    [{ metricsPort: 8081 }, "'metricsPort' (8081) must differ"],
    [{ metricsPath: '/' }, `'metricsPath' ("/") must not be '/'`],
    [
      { metricsPath: '/nginx-health' },
      `'metricsPath' ("/nginx-health") must differ from healthPath`,
    ],
  ])('rejects %o naming the option', (options, message) => {
    expect(() => renderNginxConf(options)).toThrow(message);
  });
});

describe("nginx's own errors use the service's error contract", () => {
  it('answers each with a code of @modelship/contract and the status that code goes with', () => {
    const conf = renderNginxConf({ rateLimit: { requestsPerSecond: 5 } });
    const returns = [...conf.matchAll(/return (\d{3}) '(\{"error".*\})';/g)];
    expect(returns.length).toBeGreaterThanOrEqual(9);
    for (const [, status, text] of returns) {
      const body = errorBodySchema.parse(JSON.parse(text ?? ''));
      const code = body.error.code as keyof typeof ERROR_CODES;
      expect({ code, status: Number(status) }).toEqual({ code, status: ERROR_CODES[code] });
    }
  });
});

describe('a rendered configuration records its options', () => {
  it('reads them back, and renders the same text from them', () => {
    const conf = renderNginxConf({ workerProcesses: 1, rateLimit: { requestsPerSecond: 3 } });
    const options = readNginxConfOptions(conf);
    expect(options).toMatchObject({ workerProcesses: 1, rateLimit: { requestsPerSecond: 3 } });
    expect(renderNginxConf(options)).toBe(conf);
    const moved = renderNginxConf({ ...options, listenAddress: '127.0.0.1', listenPort: 18080 });
    expect(moved).toContain('listen 127.0.0.1:18080 default_server;');
  });

  it('refuses a configuration edited by hand, or not rendered at all', () => {
    const conf = renderNginxConf();
    expect(() =>
      readNginxConfOptions(conf.replace('worker_processes 2;', 'worker_processes 4;')),
    ).toThrow(/differs from what its recorded options render/);
    expect(() => readNginxConfOptions('events {}')).toThrow(/not a configuration rendered/);
    expect(() => renderNginxConf({ listenAddress: 'localhost' })).toThrow("'listenAddress'");
  });
});
