/**
 * The Content-Security-Policy of the HTML pages (the form and the docs): same-origin scripts,
 * styles, images (and data: URIs for icons), fetches and form posts only; no inline code, no
 * plugins, no framing, no `<base>`.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 */
export const htmlContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
