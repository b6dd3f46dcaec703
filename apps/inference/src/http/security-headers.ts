import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../deps.ts';

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /**
   * Headers every response carries (JSON included), set before the route runs so that a
   * route can replace them (an HTML page sets its own `Content-Security-Policy`).
   * @default nosniff and `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`
   */
  readonly always?: Readonly<Record<string, string>>;
}

/** The minimal set for API responses: no MIME sniffing, nothing to load, no framing. */
const defaultAlways: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

const htmlMediaType = /^text\/html\b/i;

/**
 * Security headers at the cost each kind of response needs (issue 4: security headers on HTML
 * responses, no version banners). Every response gets a small precomputed set (`always`);
 * HTML responses also get hono's full `secureHeaders` set (frame, referrer, cross-origin and
 * transport policies), never replacing a header the route set itself, such as the page's own
 * Content-Security-Policy. Running `secureHeaders` on every JSON answer cost 12-17 µs per
 * request (see apps/bench/PROFILING.md) for headers a browser only acts on in documents.
 *
 * @see https://owasp.org/www-project-secure-headers/
 * @see https://hono.dev/docs/middleware/builtin/secure-headers
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<AppEnv> {
  const always = Object.entries(options.always ?? defaultAlways);
  const forHtml = secureHeaders({ overwrite: false });
  const nothing = async () => {};
  return async function securityHeaders(c, next) {
    for (const [name, value] of always) c.header(name, value);
    await next();
    const type = c.res.headers.get('content-type');
    if (type !== null && htmlMediaType.test(type)) await forHtml(c, nothing);
  };
}
