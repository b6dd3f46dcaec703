import { type ErrorCode, errorBody } from '@modelship/contract';
import type { ResolvedNginxConfOptions } from './nginx-conf-options.ts';
import { block, d, type NginxNode } from './nginx-directives.ts';

/**
 * Statuses that nginx itself may answer, each with the service's JSON error shape. 494 is nginx's
 * internal code for an oversized request header; the client receives 400.
 */
const NGINX_ERRORS: readonly {
  readonly status: number;
  readonly sent?: number;
  readonly code: ErrorCode;
  readonly message: (o: ResolvedNginxConfOptions) => string;
  /** Extra response headers (name, value). */
  readonly headers?: readonly (readonly [string, string])[];
}[] = [
  { status: 400, code: 'bad_request', message: () => 'The request is malformed.' },
  { status: 403, code: 'forbidden', message: () => 'This method is not allowed on this route.' },
  { status: 414, code: 'uri_too_long', message: () => 'The request URI is too long.' },
  {
    status: 494,
    sent: 400,
    code: 'header_too_large',
    message: () => 'A request header or cookie is too large.',
  },
  {
    status: 413,
    code: 'payload_too_large',
    message: (o: ResolvedNginxConfOptions) => `The request body exceeds ${o.bodyLimitBytes} bytes.`,
  },
  {
    status: 429,
    code: 'rate_limited',
    message: () => 'Too many requests from this address; retry shortly.',
    // limit_req's rate is at least 1 r/s, so one second always frees room for a request.
    headers: [['Retry-After', '1']],
  },
  { status: 500, code: 'internal', message: () => 'The proxy failed to handle the request.' },
  {
    status: 501,
    code: 'not_implemented',
    message: () => 'The request uses a transfer coding the proxy does not implement.',
  },
  { status: 502, code: 'bad_gateway', message: () => 'The inference service is unreachable.' },
  { status: 503, code: 'unavailable', message: () => 'The inference service is unavailable.' },
  {
    status: 504,
    code: 'gateway_timeout',
    message: () => 'The inference service did not answer in time.',
  },
];

/**
 * Where nginx renders its own errors. Internal URI locations rather than named ones: named
 * locations fail ("empty URI in redirect to named location") for errors raised while the
 * request line is still being read (400, 414, 494), and nginx then answers an HTML 500.
 */
const errorUri = (status: number): string => `/_modelship/errors/${status}`;

/** A JSON 404 in the service's error shape. */
export function notFound(what: string, requestId: string): NginxNode[] {
  return [
    d('default_type', 'application/json'),
    d('add_header', 'X-Request-Id', requestId, 'always'),
    d('return', 404, errorText('not_found', `No route for ${what}.`)),
  ];
}

/** The internal locations that render nginx's own errors as JSON. */
export function errorLocations(o: ResolvedNginxConfOptions, requestId: string): NginxNode[] {
  return NGINX_ERRORS.map((e) =>
    block(
      'location',
      ['=', errorUri(e.status)],
      [
        d('internal'),
        d('default_type', 'application/json'),
        d('add_header', 'X-Request-Id', requestId, 'always'),
        ...(e.headers ?? []).map(([name, value]) => d('add_header', name, value, 'always')),
        d('return', e.sent ?? e.status, errorText(e.code, e.message(o))),
      ],
    ),
  );
}

/** The service's error body (`@modelship/contract`), as nginx's `return` text. */
function errorText(code: ErrorCode, message: string): string {
  return JSON.stringify(errorBody(code, message));
}

/** The `error_page` directives that send nginx's own errors to {@link errorLocations}. */
export function errorPages(): NginxNode[] {
  return NGINX_ERRORS.map((e) => d('error_page', e.status, errorUri(e.status)));
}
