import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDeps, AppEnv } from '../deps.ts';
import { htmlContentSecurityPolicy } from '../form/csp.ts';

/** swagger-ui-dist's files that `/docs` serves, with their media types. */
const swaggerFiles: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/**
 * Starts Swagger UI on `/openapi.json`. A same-origin file rather than an inline script, so
 * that the strict Content-Security-Policy holds; no validator badge (an external request).
 */
const initScript = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
});
`;

/** Options of {@link docsRoutes}. */
export interface DocsRoutesOptions {
  /** Where swagger-ui-dist is installed. @default resolved from this module */
  readonly swaggerDir?: string;
}

/** swagger-ui-dist's directory, resolved like an import (node_modules in the image). */
function resolveSwaggerDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/**
 * `GET /docs`: Swagger UI rendering `/openapi.json`, served from the swagger-ui-dist package
 * (no CDN) under the same strict Content-Security-Policy as the form.
 *
 * @see https://github.com/swagger-api/swagger-ui/blob/master/docs/usage/installation.md
 */
export function docsRoutes(
  deps: Pick<AppDeps, 'model'>,
  options: DocsRoutesOptions = {},
): Hono<AppEnv> {
  const title = `${deps.model.identity.name} ${deps.model.identity.version}: API documentation`;
  const files = new Map<string, Promise<Buffer>>();
  const read = (name: string) => {
    let file = files.get(name);
    if (!file) {
      const dir = options.swaggerDir ?? resolveSwaggerDir();
      file = readFile(join(dir, name));
      file.catch(() => files.delete(name));
      files.set(name, file);
    }
    return file;
  };

  const app = new Hono<AppEnv>();
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', htmlContentSecurityPolicy);
    return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`);
  });
  app.get('/docs/init.js', (c) =>
    c.body(initScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  // One route a file: a route with a pattern parameter would make Hono fall back from its
  // regexp router to the slower trie router for the whole service.
  for (const [name, type] of Object.entries(swaggerFiles)) {
    app.get(`/docs/${name}`, async (c) => {
      const body = await read(name);
      return c.body(new Uint8Array(body), 200, {
        'Content-Type': type,
        'Cache-Control': 'public, max-age=86400',
      });
    });
  }
  return app;
}
