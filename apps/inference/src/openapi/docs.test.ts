import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps } from '../testing/fake-deps.ts';
import { docsRoutes } from './docs.ts';

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
