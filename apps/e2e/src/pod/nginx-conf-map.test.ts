import { describe, expect, it } from 'vitest';
import { mapNginxConf } from './nginx-conf-map.ts';
import { createPathMap } from './path-map.ts';
import type { PortMap } from './port-map.ts';

const ports: PortMap = {
  mode: 'free',
  entries: new Map([
    [8080, 41000],
    [8081, 41001],
  ]),
  local: (port) => ({ 8080: 41000, 8081: 41001 })[port] ?? Number.NaN,
};
const paths = createPathMap([{ mountPath: '/tmp', hostPath: '/h/tmp' }]);

describe('mapNginxConf', () => {
  it('moves listen ports and loopback upstreams to their host ports, on 127.0.0.1', () => {
    const conf = [
      'pid /tmp/nginx.pid;',
      'upstream app {',
      '  server 127.0.0.1:8081;',
      '  keepalive 32;',
      '}',
      'server {',
      '  listen 8080 default_server;',
      '  listen [::]:8080;',
      '  listen 9999;',
      '  proxy_pass http://localhost:8081/x;',
      '  return 200 "port 8080 stays in text";',
      '}',
    ].join('\n');
    const mapped = mapNginxConf(conf, paths, ports);
    expect(mapped.text.split('\n')).toEqual([
      'pid /h/tmp/nginx.pid;',
      'upstream app {',
      '  server 127.0.0.1:41001;',
      '  keepalive 32;',
      '}',
      'server {',
      '  listen 127.0.0.1:41000 default_server;',
      '  listen [::1]:41000;',
      '  listen 9999;',
      '  proxy_pass http://localhost:41001/x;',
      '  return 200 "port 8080 stays in text";',
      '}',
    ]);
    expect(mapped.changes.map((change) => change.line)).toEqual([1, 3, 7, 8, 10]);
    expect(mapped.changes[1]).toEqual({
      line: 3,
      before: '  server 127.0.0.1:8081;',
      after: '  server 127.0.0.1:41001;',
    });
  });

  it('changes nothing when the ports are kept as in the manifest and nothing is mounted', () => {
    const same: PortMap = { mode: 'manifest', entries: new Map(), local: (port) => port };
    const conf = 'server { listen 8080; location / { proxy_pass http://127.0.0.1:8081; } }';
    expect(mapNginxConf(conf, createPathMap([]), same)).toEqual({ text: conf, changes: [] });
  });
});
