import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDeps, AppEnv } from '../deps.ts';
import { htmlContentSecurityPolicy } from '../form/csp.ts';
import {
  acceptsGzip,
  defaultSwaggerDir,
  readSwaggerAsset,
  type SwaggerAsset,
  swaggerFiles,
} from './swagger-assets.ts';

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
  /**
   * The directory of the files (NAME.gz, or NAME). @default the bundle's `static/swagger-ui/`,
   * or the installed swagger-ui-dist when running from sources
   */
  readonly swaggerDir?: string;
}

/**
 * `GET /docs`: Swagger UI rendering `/openapi.json`, served from swagger-ui-dist's files (no
 * CDN) under the same strict Content-Security-Policy as the form; gzip-compressed to clients
 * that accept it.
 *
 * @see https://github.com/swagger-api/swagger-ui/blob/master/docs/usage/installation.md
 */
export function docsRoutes(
  deps: Pick<AppDeps, 'model'>,
  options: DocsRoutesOptions = {},
): Hono<AppEnv> {
  const title = `${deps.model.identity.name} ${deps.model.identity.version}: API documentation`;
  const files = new Map<string, Promise<SwaggerAsset>>();
  const read = (name: string) => {
    let file = files.get(name);
    if (!file) {
      file = readSwaggerAsset(options.swaggerDir ?? defaultSwaggerDir(), name);
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
      const asset = await read(name);
      const headers = {
        'Content-Type': type,
        'Cache-Control': 'public, max-age=86400',
        Vary: 'Accept-Encoding',
      };
      if (acceptsGzip(c.req.header('Accept-Encoding'))) {
        return c.body(asset.gzip, 200, { ...headers, 'Content-Encoding': 'gzip' });
      }
      return c.body(await asset.plain(), 200, headers);
    });
  }
  return app;
}
