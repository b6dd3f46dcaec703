import type { ResolvedNginxConfOptions } from './nginx-conf-options.ts';
import { block, comment, d, type NginxNode } from './nginx-directives.ts';

/** The request id nginx passes on, logs and answers: the caller's, if valid, or its own. */
export const REQUEST_ID = '$modelship_request_id';
/** The Host nginx sends the service. */
export const UPSTREAM_HOST = '$modelship_upstream_host';

/**
 * The JSON access log: one object per request with the request id and the upstream timings.
 * Numeric nginx variables are always numbers; upstream ones may be `-` or lists, so are strings.
 */
const ACCESS_LOG_FIELDS: readonly (readonly [string, string, 'number' | 'string'])[] = [
  ['time', '$time_iso8601', 'string'],
  ['request_id', REQUEST_ID, 'string'],
  ['remote_addr', '$remote_addr', 'string'],
  ['method', '$request_method', 'string'],
  ['uri', '$request_uri', 'string'],
  ['protocol', '$server_protocol', 'string'],
  ['status', '$status', 'number'],
  ['request_length', '$request_length', 'number'],
  ['bytes_sent', '$bytes_sent', 'number'],
  ['request_time', '$request_time', 'number'],
  ['upstream_addr', '$upstream_addr', 'string'],
  ['upstream_status', '$upstream_status', 'string'],
  ['upstream_connect_time', '$upstream_connect_time', 'string'],
  ['upstream_header_time', '$upstream_header_time', 'string'],
  ['upstream_response_time', '$upstream_response_time', 'string'],
  ['user_agent', '$http_user_agent', 'string'],
];

/** The id, Host and scheme maps, and the JSON access log. */
export function requestIdAndLogs(o: ResolvedNginxConfOptions): NginxNode[] {
  const json = ACCESS_LOG_FIELDS.map(([key, variable, type]) =>
    type === 'number' ? `"${key}":${variable}` : `"${key}":"${variable}"`,
  ).join(',');
  return [
    comment("Keep the caller's X-Request-Id if the service would too (Hono: [\\w=-], at most"),
    comment('255 characters), else mint one, so the service and both access logs share one id.'),
    block(
      'map',
      ['$http_x_request_id', REQUEST_ID],
      [d('default', '$request_id'), d('~^[A-Za-z0-9_=-]{1,255}$', '$http_x_request_id')],
    ),
    comment(
      "The Host the service gets: the request's, or a name of its own for an HTTP/1.0 request",
    ),
    comment('without one (nginx would send an empty Host, which Node refuses).'),
    block('map', ['$host', UPSTREAM_HOST], [d('default', '$host'), d('', 'localhost')]),
    block(
      'map',
      ['$http_x_forwarded_proto', '$modelship_forwarded_proto'],
      [d('default', '$http_x_forwarded_proto'), d('', '$scheme')],
    ),
    block(
      'map',
      ['$http_user_agent', '$modelship_loggable'],
      [d('default', 1), d('~^kube-probe/', o.logProbes ? 1 : 0)],
    ),
    d('log_format', 'modelship_json', 'escape=json', `{${json}}`),
    comment('Lines gathered into one write of at most 4 KiB (PIPE_BUF: atomic on the container'),
    comment("runtime's pipe, whatever the workers) or 100 ms, not one write() per request."),
    d(
      'access_log',
      o.accessLogPath,
      'modelship_json',
      'buffer=4k',
      'flush=100ms',
      'if=$modelship_loggable',
    ),
  ];
}
