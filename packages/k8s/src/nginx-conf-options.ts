import { isIP } from 'node:net';
import { OPERATIONAL_ROUTES, POD_PORTS } from '@modelship/contract';
import {
  assertCidr,
  assertInt,
  assertPort,
  assertUrlPath,
  fail,
  withDefaults,
} from './validate.ts';

/**
 * Google Front End and health-check source ranges: the only peers trusted to set
 * `X-Forwarded-For` by default.
 * @see https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges
 * @see https://cloud.google.com/load-balancing/docs/https#source-ip-addresses
 */
export const GOOGLE_LOAD_BALANCER_CIDRS: readonly string[] = ['130.211.0.0/22', '35.191.0.0/16'];

/** Per-client request rate limiting (nginx `limit_req`), keyed by the real client IP. */
export interface NginxRateLimitOptions {
  /** Sustained requests per second allowed per client IP. */
  readonly requestsPerSecond: number;
  /**
   * Requests above the rate accepted without delay before nginx answers 429.
   * @default 2 × requestsPerSecond
   */
  readonly burst?: number;
  /**
   * Size of the shared-memory zone that tracks clients, in MiB (1 MiB ≈ 16,000 IPv4 clients).
   * @default 10
   */
  readonly zoneSizeMiB?: number;
}

/** Where the real client IP comes from when a proxy (the load balancer) sits in front. */
export interface NginxRealIpOptions {
  /**
   * Peers trusted to report the client address.
   * @default GOOGLE_LOAD_BALANCER_CIDRS
   */
  readonly trustedCidrs?: readonly string[];
  /**
   * Request header carrying the client address.
   * @default 'X-Forwarded-For'
   */
  readonly header?: string;
}

/** Typed options for {@link renderNginxConf}; every field has a default. */
export interface NginxConfOptions {
  /** Port nginx listens on (the only port the Service targets). @default 8080 */
  readonly listenPort?: number;
  /**
   * The address nginx's servers bind, or every interface. A pod has its own network namespace
   * and binds every interface; a harness on a shared machine binds loopback.
   * @default undefined (every interface)
   */
  readonly listenAddress?: string;
  /** Address of the inference service. @default '127.0.0.1' */
  readonly upstreamHost?: string;
  /** Port of the inference service. @default 8081 */
  readonly upstreamPort?: number;
  /** Largest request body in bytes; the service's `BODY_LIMIT` is the same number. @default 1048576 */
  readonly bodyLimitBytes?: number;
  /** nginx worker processes. @default 2 (the pod's CPU limit, not the node's core count) */
  readonly workerProcesses?: number;
  /**
   * Connections per worker, client and upstream ones together (a proxied request holds two).
   * Sized for public traffic: idle keep-alive clients hold a connection each, and nginx serves
   * thousands of them in little memory, so they cannot exhaust it.
   * @default 4096
   */
  readonly workerConnections?: number;
  /**
   * Idle keep-alive connections kept open to the service, per worker. Size it above the
   * requests a worker has in flight at peak: past it, nginx closes connections as requests end
   * and opens new ones for the next, and on that churn a large share of requests waited 30-50 ms
   * (measured at 128 clients through 2 workers: p99 45-50 ms with 32, 12-15 ms with 128 or
   * 256, and 12-24 % more requests served; apps/bench/PROFILING.md). The service is the only
   * upstream, on localhost, so a large pool costs it only idle sockets, and only once that
   * many requests were in flight at the same time.
   * @default 256
   */
  readonly upstreamKeepaliveConnections?: number;
  /**
   * Idle timeout of those connections, in seconds; below the service's `KEEPALIVE_TIMEOUT` (65 s)
   * so that nginx, not the service, closes an idle connection.
   * @default 60
   */
  readonly upstreamKeepaliveTimeoutSeconds?: number;
  /** Requests served on one upstream connection before nginx recycles it. @default 1000 */
  readonly upstreamKeepaliveRequests?: number;
  /**
   * Client keep-alive timeout in seconds. Behind a proxy load balancer (GKE Ingress, the
   * Application Load Balancer, whose backend keep-alive is 600 s) it must be above the proxy's,
   * so that the proxy, never nginx, closes an idle connection (which it would answer 502): 620.
   * Behind a passthrough Network Load Balancer the clients themselves hold the connections, and
   * a short timeout keeps idle clients from holding nginx's connections: 75 (nginx's default).
   * `InferenceWorkload` chooses between the two from the load balancers it configures.
   * @see https://cloud.google.com/load-balancing/docs/https#timeouts_and_retries
   * @default 75
   */
  readonly clientKeepaliveTimeoutSeconds?: number;
  /** Requests on one client connection before nginx closes it. @default 10000 */
  readonly clientKeepaliveRequests?: number;
  /** Timeout for connecting to the service, in seconds. @default 5 */
  readonly proxyConnectTimeoutSeconds?: number;
  /** Timeout between two writes to the service, in seconds. @default 60 */
  readonly proxySendTimeoutSeconds?: number;
  /** Timeout between two reads from the service, in seconds. @default 60 */
  readonly proxyReadTimeoutSeconds?: number;
  /** nginx's own health location, answered by nginx itself. @default '/nginx-health' */
  readonly healthPath?: string;
  /** Real client IP from the load balancer, or `false` to use the peer address. @default {} */
  readonly realIp?: NginxRealIpOptions | false;
  /** Per-client rate limiting. @default undefined (off) */
  readonly rateLimit?: NginxRateLimitOptions;
  /** gzip JSON, HTML, CSS and JavaScript responses. @default true */
  readonly gzip?: boolean;
  /** Writable directory (an emptyDir in the pod) for the pid file and temp files. @default '/tmp' */
  readonly tempDir?: string;
  /** Bound on a graceful shutdown's wait for open requests, in seconds. @default 10 */
  readonly workerShutdownTimeoutSeconds?: number;
  /**
   * The drain marker: while this file exists, every response on the public port closes its
   * connection (`Connection: close`), so that a client on a kept-alive connection opens a new
   * one, which the load balancer sends to another pod, instead of finding a closed socket when
   * nginx stops. The pod's preStop hook creates it; `false` turns draining off.
   * @default `${tempDir}/modelship-draining`
   */
  readonly drainFile?: string | false;
  /**
   * Timeout for reading a request's header and body, in seconds: a slow client (or a slowloris)
   * holds a connection at most this long between two reads.
   * @default 30
   */
  readonly clientTimeoutSeconds?: number;
  /**
   * Where the JSON access log goes. `/dev/stdout` must be a pipe, file or terminal: opening it
   * fails (ENXIO) when stdout is a socket, as with Node's `stdio: 'pipe'`.
   * @default '/dev/stdout'
   */
  readonly accessLogPath?: string;
  /** Also log kubelet probe requests (user agent `kube-probe/*`). @default false */
  readonly logProbes?: boolean;
  /**
   * The service's Prometheus path. Never served on `listenPort` (the public port answers it
   * 404); served only on `metricsPort`, for in-cluster scrapers.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Port of a second, metrics-only server (`metricsPath`, nothing else), or `false` for none.
   * @default 9090
   */
  readonly metricsPort?: number | false;
}

/** {@link NginxConfOptions} with every default applied. */
export type ResolvedNginxConfOptions = Required<
  Omit<NginxConfOptions, 'realIp' | 'rateLimit' | 'listenAddress'>
> & {
  readonly listenAddress: string | undefined;
  readonly realIp: Required<NginxRealIpOptions> | false;
  readonly rateLimit: Required<NginxRateLimitOptions> | undefined;
};

/** The defaults of {@link NginxConfOptions} that stand on their own. */
export const NGINX_DEFAULTS = {
  listenPort: POD_PORTS.nginx,
  upstreamHost: '127.0.0.1',
  upstreamPort: POD_PORTS.service,
  bodyLimitBytes: 1_048_576,
  workerProcesses: 2,
  workerConnections: 4096,
  upstreamKeepaliveConnections: 256,
  upstreamKeepaliveTimeoutSeconds: 60,
  upstreamKeepaliveRequests: 1000,
  clientKeepaliveTimeoutSeconds: 75,
  clientKeepaliveRequests: 10_000,
  proxyConnectTimeoutSeconds: 5,
  proxySendTimeoutSeconds: 60,
  proxyReadTimeoutSeconds: 60,
  healthPath: '/nginx-health',
  gzip: true,
  tempDir: '/tmp',
  workerShutdownTimeoutSeconds: 10,
  clientTimeoutSeconds: 30,
  accessLogPath: '/dev/stdout',
  logProbes: false,
  metricsPath: OPERATIONAL_ROUTES.metrics,
  metricsPort: POD_PORTS.metrics,
} as const satisfies Required<
  Omit<NginxConfOptions, 'realIp' | 'rateLimit' | 'drainFile' | 'listenAddress'>
>;

/**
 * The options `InferenceWorkload` derives from its other props (the pod's ports, the service's
 * body limit, the metrics section): listed once, for the props' type and the runtime check.
 */
export const DERIVED_NGINX_OPTIONS = [
  'listenAddress',
  'listenPort',
  'upstreamHost',
  'upstreamPort',
  'bodyLimitBytes',
  'metricsPort',
  'metricsPath',
] as const satisfies readonly (keyof NginxConfOptions)[];

/** One of {@link DERIVED_NGINX_OPTIONS}. */
export type DerivedNginxOption = (typeof DERIVED_NGINX_OPTIONS)[number];

/**
 * Applies the defaults of {@link NginxConfOptions} and validates every option. Errors name
 * each option under `prefix` (e.g. `nginx.workerConnections` for a construct's `nginx` prop).
 */
export function resolveNginxConfOptions(
  options: NginxConfOptions = {},
  prefix = '',
): ResolvedNginxConfOptions {
  const realIp = options.realIp ?? {};
  const rate = options.rateLimit;
  const tempDir = options.tempDir ?? NGINX_DEFAULTS.tempDir;
  const resolved: ResolvedNginxConfOptions = {
    ...withDefaults(NGINX_DEFAULTS, options),
    realIp:
      realIp === false
        ? false
        : {
            trustedCidrs: realIp.trustedCidrs ?? GOOGLE_LOAD_BALANCER_CIDRS,
            header: realIp.header ?? 'X-Forwarded-For',
          },
    rateLimit:
      rate === undefined
        ? undefined
        : {
            requestsPerSecond: rate.requestsPerSecond,
            burst: rate.burst ?? 2 * rate.requestsPerSecond,
            zoneSizeMiB: rate.zoneSizeMiB ?? 10,
          },
    drainFile: options.drainFile ?? `${tempDir.replace(/\/$/, '')}/modelship-draining`,
    listenAddress: options.listenAddress,
  };
  validate(resolved, (name) => `${prefix}${name}`);
  return resolved;
}

function validate(o: ResolvedNginxConfOptions, at: (name: string) => string): void {
  assertPort(at('listenPort'), o.listenPort);
  assertPort(at('upstreamPort'), o.upstreamPort);
  if (o.listenAddress !== undefined && isIP(o.listenAddress.replace(/^\[(.*)\]$/, '$1')) === 0) {
    fail(at('listenAddress'), o.listenAddress, 'must be an IP address');
  }
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(o.upstreamHost)) {
    fail(at('upstreamHost'), o.upstreamHost, 'must be a host name or IP address');
  }
  for (const [name, min, max] of INT_OPTIONS) assertInt(at(name), o[name], min, max);
  if (o.drainFile !== false) assertUrlPath(at('drainFile'), o.drainFile);
  assertUrlPath(at('healthPath'), o.healthPath);
  if (o.healthPath === '/') fail(at('healthPath'), o.healthPath, "must not be '/'");
  assertUrlPath(at('tempDir'), o.tempDir);
  assertUrlPath(at('accessLogPath'), o.accessLogPath);
  if (o.realIp !== false) {
    o.realIp.trustedCidrs.forEach((cidr, i) => {
      assertCidr(at(`realIp.trustedCidrs[${i}]`), cidr);
    });
    if (!/^[A-Za-z0-9-]+$/.test(o.realIp.header)) {
      fail(at('realIp.header'), o.realIp.header, 'must be an HTTP header name');
    }
  }
  assertUrlPath(at('metricsPath'), o.metricsPath);
  if (o.metricsPath === '/') fail(at('metricsPath'), o.metricsPath, "must not be '/'");
  if (o.metricsPath === o.healthPath) {
    fail(at('metricsPath'), o.metricsPath, 'must differ from healthPath');
  }
  if (o.metricsPort !== false) {
    assertPort(at('metricsPort'), o.metricsPort);
    if (o.metricsPort === o.listenPort || o.metricsPort === o.upstreamPort) {
      fail(at('metricsPort'), o.metricsPort, 'must differ from listenPort and upstreamPort');
    }
  }
  if (o.rateLimit !== undefined) {
    assertInt(at('rateLimit.requestsPerSecond'), o.rateLimit.requestsPerSecond, 1);
    assertInt(at('rateLimit.burst'), o.rateLimit.burst, 0);
    assertInt(at('rateLimit.zoneSizeMiB'), o.rateLimit.zoneSizeMiB, 1, 1024);
  }
}

/** The whole-number options and their bounds. */
const INT_OPTIONS: readonly (readonly [
  (
    | 'bodyLimitBytes'
    | 'workerProcesses'
    | 'workerConnections'
    | 'upstreamKeepaliveConnections'
    | 'upstreamKeepaliveTimeoutSeconds'
    | 'upstreamKeepaliveRequests'
    | 'clientKeepaliveTimeoutSeconds'
    | 'clientKeepaliveRequests'
    | 'proxyConnectTimeoutSeconds'
    | 'proxySendTimeoutSeconds'
    | 'proxyReadTimeoutSeconds'
    | 'workerShutdownTimeoutSeconds'
    | 'clientTimeoutSeconds'
  ),
  number,
  number?,
])[] = [
  ['bodyLimitBytes', 1],
  ['workerProcesses', 1, 64],
  ['workerConnections', 16, 65535],
  ['upstreamKeepaliveConnections', 1],
  ['upstreamKeepaliveTimeoutSeconds', 1],
  ['upstreamKeepaliveRequests', 1],
  ['clientKeepaliveTimeoutSeconds', 1],
  ['clientKeepaliveRequests', 1],
  ['proxyConnectTimeoutSeconds', 1, 75],
  ['proxySendTimeoutSeconds', 1],
  ['proxyReadTimeoutSeconds', 1],
  ['workerShutdownTimeoutSeconds', 1],
  ['clientTimeoutSeconds', 1, 3600],
];
