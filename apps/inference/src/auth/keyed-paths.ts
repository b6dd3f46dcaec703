import type { ApiKeysOpenable } from '@modelship/contract';

/**
 * The pages an API key can be waived for (`API_KEYS_OPEN`), as Hono path patterns: the web
 * form (its page, its server-side prediction, its assets) and the documentation (Swagger UI,
 * the OpenAPI document, the Open Inference Protocol's metadata; the protocol's infer routes
 * are prediction routes, keyed regardless). The probes (`/healthz`, `/readyz`,
 * `/v2/health/*`) never need a key; the prediction routes always do.
 */
export const KEYED_PAGES: Readonly<Record<ApiKeysOpenable, readonly string[]>> = {
  form: ['/', '/static/*'],
  docs: [
    '/docs',
    '/docs/*',
    '/openapi.json',
    '/v2',
    '/v2/models/:name',
    '/v2/models/:name/ready',
    '/v2/models/:name/versions/:version',
    '/v2/models/:name/versions/:version/ready',
  ],
};

/** The patterns that need a key: the prediction routes' and the pages' not in `open`. */
export function keyedPaths(
  predictionPaths: readonly string[],
  open: readonly ApiKeysOpenable[],
): string[] {
  const pages = Object.entries(KEYED_PAGES).flatMap(([group, paths]) =>
    open.includes(group as ApiKeysOpenable) ? [] : paths,
  );
  return [...predictionPaths, ...pages];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `path` (concrete, or with `:param` segments) falls under one of Hono's `patterns`. */
export function matchesPattern(patterns: readonly string[], path: string): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .split('/')
      .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : escapeRegExp(part)))
      .join('/');
    return new RegExp(`^${source}$`).test(path);
  });
}
