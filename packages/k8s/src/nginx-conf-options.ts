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

/**
 * Per-address request rate limiting (nginx `limit_req`), keyed by the client's address (the
 * real one: see {@link NginxRealIpOptions}). Past the burst nginx answers 429 in the error
 * contract with `Retry-After`.
 * @see https://nginx.org/en/docs/http/ngx_http_limit_req_module.html
 */
export interface NginxRateLimitOptions {
  /** Sustained requests per second allowed per client address. */
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

/**
 * Per-address bound on requests in progress (nginx `limit_conn`): a request counts from its
 * complete header until its answer, so it bounds how many connections one address can hold
 * open with slow (trickled) bodies or slow reads. Past it nginx answers 429.
 * @see https://nginx.org/en/docs/http/ngx_http_limit_conn_module.html
 */
export interface NginxConnectionLimitOptions {
  /** Requests in progress at once per client address. */
  readonly perAddress: number;
  /** Size of the shared-memory zone that tracks addresses, in MiB. @default 10 */
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

/**
 * HTTPS on a second port: nginx terminates TLS (HTTP/1.1 and HTTP/2) with the certificate and
 * key of a `kubernetes.io/tls` Secret mounted as a directory (`tls.crt`, `tls.key`), and the
 * plain port answers only the health path and redirects everything else to HTTPS.
 */
export interface NginxTlsOptions {
  /** Port of the HTTPS server. @default 8443 */
  readonly port?: number;
  /** Directory holding `tls.crt` and `tls.key`. @default '/etc/modelship/tls' */
  readonly certificateDir?: string;
}

/** One option's declaration: its default and, for a whole number, its bounds. */
interface OptionSpec<T> {
  readonly default: T;
  readonly int?: readonly [min: number, max?: number];
}

const value = <T>(defaultValue: T): OptionSpec<T> => ({ default: defaultValue });
const int = (defaultValue: number, min: number, max?: number) =>
  ({ default: defaultValue, int: [min, max] }) as const satisfies OptionSpec<number>;
/** An option `InferenceWorkload` derives from its other props (users of it may not set it). */
const derived = <S extends OptionSpec<unknown>>(spec: S) => ({ ...spec, derived: true }) as const;

/**
 * Every option of {@link renderNginxConf}, declared once: the options' type, their defaults,
 * the derived ones and the integer checks all come from this table. `undefined` defaults are
 * resolved from other options (`realIp`, `rateLimit`, `drainFile`) or mean "not set".
 */
const NGINX_OPTIONS = {
  /** Port nginx listens on (the only port the Service targets). @default 8080 */
  listenPort: derived(int(POD_PORTS.nginx, 1, 65535)),
  /**
   * The address nginx's servers bind, or every interface. A pod has its own network namespace
   * and binds every interface; a harness on a shared machine binds loopback.
   * @default undefined (every interface)
   */
  listenAddress: derived(value<string | undefined>(undefined)),
  /** Address of the inference service. @default '127.0.0.1' */
  upstreamHost: derived(value('127.0.0.1')),
  /** Port of the inference service. @default 8081 */
  upstreamPort: derived(int(POD_PORTS.service, 1, 65535)),
  /**
   * Port of the service's operational listener (`OPS_PORT`) on `upstreamHost`: the metrics
   * server proxies the metrics, the drift page and the reload route there. @default 8083
   */
  operationsPort: derived(int(POD_PORTS.operations, 1, 65535)),
  /** Largest request body in bytes; the service's `BODY_LIMIT` is the same number. @default 1048576 */
  bodyLimitBytes: derived(int(1_048_576, 1)),
  /**
   * nginx worker processes: size it to nginx's CPU limit, not the node's core count
   * (InferenceWorkload does: one per whole CPU of the limit). @default 2
   */
  workerProcesses: int(2, 1, 64),
  /**
   * Connections per worker, client and upstream ones together (a proxied request holds two).
   * Sized for public traffic: idle keep-alive clients hold a connection each, and nginx serves
   * thousands of them in little memory, so they cannot exhaust it.
   * @default 4096
   */
  workerConnections: int(4096, 16, 65535),
  /**
   * Idle keep-alive connections kept open to the service, per worker. Size it above the
   * requests a worker has in flight at peak: past it, nginx closes connections as requests end
   * and opens new ones for the next, and requests wait on that churn (apps/bench/PROFILING.md,
   * "nginx's upstream pool"). The service is the only upstream, on localhost, so a large pool
   * costs it only idle sockets.
   * @default 256
   */
  upstreamKeepaliveConnections: int(256, 1),
  /**
   * Idle timeout of those connections, in seconds; below the service's `KEEPALIVE_TIMEOUT` (65 s)
   * so that nginx, not the service, closes an idle connection.
   * @default 60
   */
  upstreamKeepaliveTimeoutSeconds: int(60, 1),
  /** Requests served on one upstream connection before nginx recycles it. @default 1000 */
  upstreamKeepaliveRequests: int(1000, 1),
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
  clientKeepaliveTimeoutSeconds: int(75, 1),
  /** Requests on one client connection before nginx closes it. @default 10000 */
  clientKeepaliveRequests: int(10_000, 1),
  /** Timeout for connecting to the service, in seconds. @default 5 */
  proxyConnectTimeoutSeconds: int(5, 1, 75),
  /** Timeout between two writes to the service, in seconds. @default 60 */
  proxySendTimeoutSeconds: int(60, 1),
  /** Timeout between two reads from the service, in seconds. @default 60 */
  proxyReadTimeoutSeconds: int(60, 1),
  /** nginx's own health location, answered by nginx itself. @default '/nginx-health' */
  healthPath: value('/nginx-health'),
  /**
   * HTTPS on `tls.port` with the plain port redirecting to it, or `undefined` for plain HTTP
   * only. `InferenceWorkload` derives it from its `tls` prop.
   * @default undefined (plain HTTP)
   */
  tls: derived(value<NginxTlsOptions | undefined>(undefined)),
  /** Real client IP from the load balancer, or `false` to use the peer address. @default {} */
  realIp: value<NginxRealIpOptions | false | undefined>(undefined),
  /**
   * Per-address rate limiting, or `false`/`undefined` for none (`InferenceWorkload` turns it
   * on by default: `DEFAULT_RATE_LIMIT`).
   * @default undefined (off)
   */
  rateLimit: value<NginxRateLimitOptions | false | undefined>(undefined),
  /**
   * Per-address bound on requests in progress, or `false`/`undefined` for none
   * (`InferenceWorkload` turns it on by default: `DEFAULT_CONNECTION_LIMIT`).
   * @default undefined (off)
   */
  connectionLimit: value<NginxConnectionLimitOptions | false | undefined>(undefined),
  /** gzip JSON, HTML, CSS and JavaScript responses. @default true */
  gzip: value(true),
  /** Writable directory (an emptyDir in the pod) for the pid file and temp files. @default '/tmp' */
  tempDir: value('/tmp'),
  /** Bound on a graceful shutdown's wait for open requests, in seconds. @default 10 */
  workerShutdownTimeoutSeconds: int(10, 1),
  /**
   * The drain marker: while this file exists, every response on the public port closes its
   * connection (`Connection: close`), so that a client on a kept-alive connection opens a new
   * one, which the load balancer sends to another pod, instead of finding a closed socket when
   * nginx stops. The pod's preStop hook creates it; `false` turns draining off.
   * @default `${tempDir}/modelship-draining`
   */
  drainFile: value<string | false | undefined>(undefined),
  /**
   * Timeout for reading a request's header and body, in seconds: a slow client (or a slowloris)
   * holds a connection at most this long between two reads.
   * @default 30
   */
  clientTimeoutSeconds: int(30, 1, 3600),
  /**
   * Where the JSON access log goes. `/dev/stdout` must be a pipe, file or terminal: opening it
   * fails (ENXIO) when stdout is a socket, as with Node's `stdio: 'pipe'`.
   * @default '/dev/stdout'
   */
  accessLogPath: value('/dev/stdout'),
  /** Also log kubelet probe requests (user agent `kube-probe/*`). @default false */
  logProbes: value(false),
  /**
   * The service's Prometheus path. Never served on `listenPort` (the public port answers it
   * 404); served only on `metricsPort`, for in-cluster scrapers.
   * @default '/metrics'
   */
  metricsPath: derived(value<string>(OPERATIONAL_ROUTES.metrics)),
  /**
   * Port of a second, metrics-only server (`metricsPath`, nothing else), or `false` for none.
   * @default 9090
   */
  metricsPort: derived(value<number | false>(POD_PORTS.metrics)),
};

type Table = typeof NGINX_OPTIONS;
type OptionValue<K extends keyof Table> = Exclude<Table[K]['default'], undefined>;

/** Typed options for {@link renderNginxConf}; every field has a default. */
export type NginxConfOptions = { readonly [K in keyof Table]?: OptionValue<K> };

/** {@link NginxConfOptions} with every default applied. */
export type ResolvedNginxConfOptions = {
  readonly [K in Exclude<
    keyof Table,
    'realIp' | 'rateLimit' | 'connectionLimit' | 'listenAddress' | 'tls'
  >]: OptionValue<K>;
} & {
  readonly tls: Required<NginxTlsOptions> | undefined;
  readonly listenAddress: string | undefined;
  readonly realIp: Required<NginxRealIpOptions> | false;
  readonly rateLimit: Required<NginxRateLimitOptions> | undefined;
  readonly connectionLimit: Required<NginxConnectionLimitOptions> | undefined;
};

/** The options with a default of their own (the others are resolved in {@link resolveNginxConfOptions}). */
type Standalone = Exclude<
  keyof Table,
  'realIp' | 'rateLimit' | 'connectionLimit' | 'drainFile' | 'listenAddress' | 'tls'
>;

/** The defaults of {@link NginxConfOptions} that stand on their own. */
export const NGINX_DEFAULTS = Object.fromEntries(
  Object.entries(NGINX_OPTIONS).flatMap(([name, spec]) =>
    spec.default === undefined ? [] : [[name, spec.default]],
  ),
) as { readonly [K in Standalone]: OptionValue<K> };

/** The options that `InferenceWorkload` derives from its other props. */
export type DerivedNginxOption = {
  [K in keyof Table]: Table[K] extends { readonly derived: true } ? K : never;
}[keyof Table];

/**
 * The options `InferenceWorkload` derives from its other props (the pod's ports, the service's
 * body limit, the metrics section), for the props' type and the runtime check.
 */
export const DERIVED_NGINX_OPTIONS = Object.keys(NGINX_OPTIONS).filter(
  (name) => 'derived' in NGINX_OPTIONS[name as keyof Table],
) as readonly DerivedNginxOption[];

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
  const conn = options.connectionLimit;
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
      rate === undefined || rate === false
        ? undefined
        : {
            requestsPerSecond: rate.requestsPerSecond,
            burst: rate.burst ?? 2 * rate.requestsPerSecond,
            zoneSizeMiB: rate.zoneSizeMiB ?? 10,
          },
    connectionLimit:
      conn === undefined || conn === false
        ? undefined
        : { perAddress: conn.perAddress, zoneSizeMiB: conn.zoneSizeMiB ?? 10 },
    drainFile: options.drainFile ?? `${tempDir.replace(/\/$/, '')}/modelship-draining`,
    listenAddress: options.listenAddress,
    tls:
      options.tls === undefined
        ? undefined
        : {
            port: options.tls.port ?? 8443,
            certificateDir: options.tls.certificateDir ?? '/etc/modelship/tls',
          },
  };
  validate(resolved, (name) => `${prefix}${name}`);
  return resolved;
}

function validate(o: ResolvedNginxConfOptions, at: (name: string) => string): void {
  const specs: [string, OptionSpec<unknown>][] = Object.entries(NGINX_OPTIONS);
  for (const [name, { int }] of specs) {
    if (int) assertInt(at(name), o[name as keyof typeof o] as number, int[0], int[1]);
  }
  if (o.listenAddress !== undefined && isIP(o.listenAddress.replace(/^\[(.*)\]$/, '$1')) === 0) {
    fail(at('listenAddress'), o.listenAddress, 'must be an IP address');
  }
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(o.upstreamHost)) {
    fail(at('upstreamHost'), o.upstreamHost, 'must be a host name or IP address');
  }
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
  if (o.tls !== undefined) {
    assertPort(at('tls.port'), o.tls.port);
    if ([o.listenPort, o.upstreamPort, o.metricsPort].includes(o.tls.port)) {
      fail(at('tls.port'), o.tls.port, 'must differ from listenPort, upstreamPort and metricsPort');
    }
    assertUrlPath(at('tls.certificateDir'), o.tls.certificateDir);
  }
  if (o.rateLimit !== undefined) {
    assertInt(at('rateLimit.requestsPerSecond'), o.rateLimit.requestsPerSecond, 1);
    assertInt(at('rateLimit.burst'), o.rateLimit.burst, 0);
    assertInt(at('rateLimit.zoneSizeMiB'), o.rateLimit.zoneSizeMiB, 1, 1024);
  }
  if (o.connectionLimit !== undefined) {
    assertInt(at('connectionLimit.perAddress'), o.connectionLimit.perAddress, 1, 65535);
    assertInt(at('connectionLimit.zoneSizeMiB'), o.connectionLimit.zoneSizeMiB, 1, 1024);
  }
}
