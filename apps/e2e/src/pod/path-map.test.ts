import { describe, expect, it } from 'vitest';
import { createPathMap } from './path-map.ts';

const map = createPathMap([
  { mountPath: '/tmp', hostPath: '/h/tmp-vol' },
  { mountPath: '/var/cache/nginx', hostPath: '/h/cache-vol' },
  { mountPath: '/etc/nginx/modelship/', hostPath: '/h/conf-vol' },
]);

describe('createPathMap', () => {
  it('maps paths under a mount and leaves others alone', () => {
    expect(map.mapPath('/tmp/nginx.pid')).toBe('/h/tmp-vol/nginx.pid');
    expect(map.mapPath('/tmp')).toBe('/h/tmp-vol');
    expect(map.mapPath('/etc/nginx/modelship/nginx.conf')).toBe('/h/conf-vol/nginx.conf');
    expect(map.mapPath('/tmpfoo/x')).toBe('/tmpfoo/x');
    expect(map.mapPath('/var/tmp/x')).toBe('/var/tmp/x');
    expect(map.mapPath('/dev/stdout')).toBe('/dev/stdout');
  });

  it('rewrites only the mount paths inside a configuration text', () => {
    const text = [
      'pid /tmp/nginx.pid;',
      'proxy_temp_path /var/cache/nginx/proxy;',
      'log \'/tmp/a\' "/tmp";',
      'access_log /dev/stdout;',
      'x /var/tmp/y;',
      'uri /api/tmp/z;',
    ].join('\n');
    expect(map.mapText(text)).toBe(
      [
        'pid /h/tmp-vol/nginx.pid;',
        'proxy_temp_path /h/cache-vol/proxy;',
        'log \'/h/tmp-vol/a\' "/h/tmp-vol";',
        'access_log /dev/stdout;',
        'x /var/tmp/y;',
        'uri /api/tmp/z;',
      ].join('\n'),
    );
  });

  it('never maps a path twice, even when the host folder lies under a mount path', () => {
    const nested = createPathMap([{ mountPath: '/tmp', hostPath: '/tmp/pod-1/vol' }]);
    expect(nested.mapText('pid /tmp/nginx.pid;')).toBe('pid /tmp/pod-1/vol/nginx.pid;');
  });

  it('refuses a relative or root mount path', () => {
    expect(() => createPathMap([{ mountPath: 'tmp', hostPath: '/x' }])).toThrow(/absolute/);
    expect(() => createPathMap([{ mountPath: '/', hostPath: '/x' }])).toThrow(/absolute/);
  });
});
