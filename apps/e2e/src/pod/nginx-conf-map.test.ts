import { renderNginxConf } from '@modelship/k8s';
import { describe, expect, it } from 'vitest';
import { mapNginxConf } from './nginx-conf-map.ts';
import { createPathMap } from './path-map.ts';
import type { PortMap } from './port-map.ts';

const ports: PortMap = {
  mode: 'free',
  entries: new Map([
    [8080, 41000],
    [8081, 41001],
    [9090, 41002],
  ]),
  local: (port) => ({ 8080: 41000, 8081: 41001, 9090: 41002 })[port] ?? Number.NaN,
};
const paths = createPathMap([{ mountPath: '/tmp', hostPath: '/h/tmp' }]);

describe('mapNginxConf', () => {
  it('renders the shipped configuration again with host ports on loopback and mounted paths', () => {
    const shipped = renderNginxConf({ workerProcesses: 1, bodyLimitBytes: 4096 });
    const mapped = mapNginxConf(shipped, paths, ports);
    expect(mapped.text).toContain('listen 127.0.0.1:41000 default_server;');
    expect(mapped.text).toContain('listen 127.0.0.1:41002;');
    expect(mapped.text).toContain('server 127.0.0.1:41001;');
    expect(mapped.text).toContain('pid /h/tmp/nginx.pid;');
    expect(mapped.text).toContain('if (-f /h/tmp/modelship-draining) {');
    // Everything the pod's environment does not decide stays as shipped.
    expect(mapped.text).toContain('worker_processes 1;');
    expect(mapped.text).toContain('client_max_body_size 4096;');
    const changed = mapped.changes.map((change) => change.after.trim().split(' ')[0]);
    expect(new Set(changed)).toEqual(
      new Set([
        '#',
        'pid',
        'client_body_temp_path',
        'proxy_temp_path',
        'fastcgi_temp_path',
        'uwsgi_temp_path',
        'scgi_temp_path',
        'server',
        'listen',
        'if',
      ]),
    );
  });

  it('refuses a configuration that its recorded options do not render (edited by hand)', () => {
    const edited = renderNginxConf().replace('keepalive 256;', 'keepalive 64;');
    expect(() => mapNginxConf(edited, paths, ports)).toThrow(/differs from what its recorded/);
  });
});
