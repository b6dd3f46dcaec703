import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps } from '../testing/fake-deps.ts';
import { docsRoutes } from './docs.ts';
import { acceptsGzip } from './swagger-assets.ts';

const packageDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

function setup() {
  const { deps } = fakeDeps();
  return createApp(deps);
}

describe('GET /docs', () => {
  it('renders Swagger UI on /openapi.json from same-origin files only, under a strict CSP', async () => {
    const res = await setup().request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const page = await res.text();
    expect(page).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/docs/swagger-ui.css" />');
    // No external origin, and no inline script (the CSP would block it).
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(page).not.toMatch(/<script>/);
  });

  it('serves the init script that points Swagger UI at /openapi.json', async () => {
    const res = await setup().request('/docs/init.js');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await res.text();
    expect(script).toContain("url: '/openapi.json'");
    expect(script).toContain('validatorUrl: null');
  });

  it.each([
    ['/docs/swagger-ui-bundle.js', /^text\/javascript/, 'SwaggerUIBundle'],
    ['/docs/swagger-ui.css', /^text\/css/, '.swagger-ui'],
  ])('serves %s from the swagger-ui-dist package', async (path, type, marker) => {
    const res = await setup().request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await res.text()).toContain(marker);
  });

  it.each(['swagger-ui-bundle.js', 'swagger-ui.css'])(
    'serves %s gzip-compressed to a client that accepts gzip, plain to one that does not',
    async (name) => {
      const app = setup();
      const original = await readFile(join(packageDir, name));
      const gz = await app.request(`/docs/${name}`, {
        headers: { 'Accept-Encoding': 'gzip, deflate, br' },
      });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(gz.headers.get('vary')).toBe('Accept-Encoding');
      const compressed = Buffer.from(await gz.arrayBuffer());
      expect(compressed.length).toBeLessThan(original.length / 3);
      expect(gunzipSync(compressed).equals(original)).toBe(true);
      for (const accept of [undefined, 'gzip;q=0, identity', 'br']) {
        const res = await app.request(`/docs/${name}`, {
          headers: accept === undefined ? {} : { 'Accept-Encoding': accept },
        });
        expect(res.headers.get('content-encoding')).toBeNull();
        expect(res.headers.get('vary')).toBe('Accept-Encoding');
        expect(Buffer.from(await res.arrayBuffer()).equals(original)).toBe(true);
      }
    },
  );

  it('reads NAME.gz where the bundle has it, and decompresses it for a client without gzip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swagger-'));
    const gz = gzipSync('.bundled {}');
    await writeFile(join(dir, 'swagger-ui.css.gz'), gz);
    const { deps } = fakeDeps();
    const app = createApp(deps, { routes: [(d) => docsRoutes(d, { swaggerDir: dir })] });
    const compressed = await app.request('/docs/swagger-ui.css', {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(Buffer.from(await compressed.arrayBuffer()).equals(gz)).toBe(true);
    expect(await (await app.request('/docs/swagger-ui.css')).text()).toBe('.bundled {}');
  });

  it.each([
    ['gzip', true],
    ['GZIP;q=0.5', true],
    ['deflate, *', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['*;q=0', false],
    ['br, identity', false],
    ['', false],
  ])('Accept-Encoding %j takes gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('serves nothing else from the package directory', async () => {
    const app = setup();
    for (const path of ['/docs/package.json', '/docs/index.js', '/docs/..%2Fpackage.json']) {
      expect((await app.request(path)).status).toBe(404);
    }
  });

  it('reads the files from the given directory; a missing file is a logged 500', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swagger-'));
    await writeFile(join(dir, 'swagger-ui.css'), '.stand-in {}');
    const { deps, lines } = fakeDeps();
    const app = createApp(deps, { routes: [(d) => docsRoutes(d, { swaggerDir: dir })] });
    expect(await (await app.request('/docs/swagger-ui.css')).text()).toBe('.stand-in {}');
    const missing = await app.request('/docs/swagger-ui-bundle.js');
    expect(missing.status).toBe(500);
    expect(lines.some((l) => l.severity === 'ERROR' && /ENOENT/.test(String(l.message)))).toBe(
      true,
    );
  });
});
