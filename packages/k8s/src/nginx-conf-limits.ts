import type { ResolvedNginxConfOptions } from './nginx-conf-options.ts';
import { d, type NginxNode } from './nginx-directives.ts';

const RATE_ZONE = 'modelship_per_client';
const CONN_ZONE = 'modelship_per_address';

/** The http-level shared zones of the per-address limits, keyed by the client's address. */
export function limitZones(o: ResolvedNginxConfOptions): NginxNode[] {
  return [
    ...(o.rateLimit
      ? [
          d(
            'limit_req_zone',
            '$binary_remote_addr',
            `zone=${RATE_ZONE}:${o.rateLimit.zoneSizeMiB}m`,
            `rate=${o.rateLimit.requestsPerSecond}r/s`,
          ),
          d('limit_req_status', 429),
          d('limit_req_log_level', 'warn'),
        ]
      : []),
    ...(o.connectionLimit
      ? [
          d(
            'limit_conn_zone',
            '$binary_remote_addr',
            `zone=${CONN_ZONE}:${o.connectionLimit.zoneSizeMiB}m`,
          ),
          d('limit_conn_status', 429),
          d('limit_conn_log_level', 'warn'),
        ]
      : []),
  ];
}

/**
 * Request bodies go to the service as they arrive. nginx's own body timeout is between two reads
 * and it has no total one, so a body trickled at a byte a second would hold a buffering nginx
 * forever; streamed, the service's `REQUEST_TIMEOUT` ends it with a 408 in the error contract.
 * Small bodies arrive with their header, so they are sent on at once either way.
 * @see https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_request_buffering
 */
export function streamBodies(): NginxNode[] {
  return [d('proxy_request_buffering', 'off')];
}

/** The per-address limits (both answer 429 through the JSON error page, with Retry-After). */
export function perAddressLimits(o: ResolvedNginxConfOptions): NginxNode[] {
  return [
    ...(o.rateLimit
      ? [d('limit_req', `zone=${RATE_ZONE}`, `burst=${o.rateLimit.burst}`, 'nodelay')]
      : []),
    ...(o.connectionLimit ? [d('limit_conn', CONN_ZONE, o.connectionLimit.perAddress)] : []),
  ];
}
