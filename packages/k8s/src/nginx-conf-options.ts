import { assertCidr, assertInt, assertPort, assertUrlPath, fail } from './validate.ts';

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
  /** Idle keep-alive connections kept open to the service, per worker. @default 32 */
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
export type ResolvedNginxConfOptions = Required<Omit<NginxConfOptions, 'realIp' | 'rateLimit'>> & {
  readonly realIp: Required<NginxRealIpOptions> | false;
  readonly rateLimit: Required<NginxRateLimitOptions> | undefined;
};

/** Applies the defaults of {@link NginxConfOptions} and validates every option. */
export function resolveNginxConfOptions(options: NginxConfOptions = {}): ResolvedNginxConfOptions {
  const realIp = options.realIp ?? {};
  const rate = options.rateLimit;
  const resolved: ResolvedNginxConfOptions = {
    listenPort: options.listenPort ?? 8080,
    upstreamHost: options.upstreamHost ?? '127.0.0.1',
    upstreamPort: options.upstreamPort ?? 8081,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    workerProcesses: options.workerProcesses ?? 2,
    workerConnections: options.workerConnections ?? 4096,
    upstreamKeepaliveConnections: options.upstreamKeepaliveConnections ?? 32,
    upstreamKeepaliveTimeoutSeconds: options.upstreamKeepaliveTimeoutSeconds ?? 60,
    upstreamKeepaliveRequests: options.upstreamKeepaliveRequests ?? 1000,
    clientKeepaliveTimeoutSeconds: options.clientKeepaliveTimeoutSeconds ?? 75,
    clientKeepaliveRequests: options.clientKeepaliveRequests ?? 10_000,
    proxyConnectTimeoutSeconds: options.proxyConnectTimeoutSeconds ?? 5,
    proxySendTimeoutSeconds: options.proxySendTimeoutSeconds ?? 60,
    proxyReadTimeoutSeconds: options.proxyReadTimeoutSeconds ?? 60,
    healthPath: options.healthPath ?? '/nginx-health',
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
    gzip: options.gzip ?? true,
    tempDir: options.tempDir ?? '/tmp',
    workerShutdownTimeoutSeconds: options.workerShutdownTimeoutSeconds ?? 10,
    drainFile:
      options.drainFile === undefined
        ? `${(options.tempDir ?? '/tmp').replace(/\/$/, '')}/modelship-draining`
        : options.drainFile,
    clientTimeoutSeconds: options.clientTimeoutSeconds ?? 30,
    accessLogPath: options.accessLogPath ?? '/dev/stdout',
    logProbes: options.logProbes ?? false,
    metricsPath: options.metricsPath ?? '/metrics',
    metricsPort: options.metricsPort ?? 9090,
  };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedNginxConfOptions): void {
  assertPort('listenPort', o.listenPort);
  assertPort('upstreamPort', o.upstreamPort);
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(o.upstreamHost)) {
    fail('upstreamHost', o.upstreamHost, 'must be a host name or IP address');
  }
  assertInt('bodyLimitBytes', o.bodyLimitBytes, 1);
  assertInt('workerProcesses', o.workerProcesses, 1, 64);
  assertInt('workerConnections', o.workerConnections, 16, 65535);
  assertInt('upstreamKeepaliveConnections', o.upstreamKeepaliveConnections, 1);
  assertInt('upstreamKeepaliveTimeoutSeconds', o.upstreamKeepaliveTimeoutSeconds, 1);
  assertInt('upstreamKeepaliveRequests', o.upstreamKeepaliveRequests, 1);
  assertInt('clientKeepaliveTimeoutSeconds', o.clientKeepaliveTimeoutSeconds, 1);
  assertInt('clientKeepaliveRequests', o.clientKeepaliveRequests, 1);
  assertInt('proxyConnectTimeoutSeconds', o.proxyConnectTimeoutSeconds, 1, 75);
  assertInt('proxySendTimeoutSeconds', o.proxySendTimeoutSeconds, 1);
  assertInt('proxyReadTimeoutSeconds', o.proxyReadTimeoutSeconds, 1);
  assertInt('workerShutdownTimeoutSeconds', o.workerShutdownTimeoutSeconds, 1);
  assertInt('clientTimeoutSeconds', o.clientTimeoutSeconds, 1, 3600);
  if (o.drainFile !== false) assertUrlPath('drainFile', o.drainFile);
  assertUrlPath('healthPath', o.healthPath);
  if (o.healthPath === '/') fail('healthPath', o.healthPath, "must not be '/'");
  assertUrlPath('tempDir', o.tempDir);
  assertUrlPath('accessLogPath', o.accessLogPath);
  if (o.realIp !== false) {
    o.realIp.trustedCidrs.forEach((cidr, i) => {
      assertCidr(`realIp.trustedCidrs[${i}]`, cidr);
    });
    if (!/^[A-Za-z0-9-]+$/.test(o.realIp.header)) {
      fail('realIp.header', o.realIp.header, 'must be an HTTP header name');
    }
  }
  assertUrlPath('metricsPath', o.metricsPath);
  if (o.metricsPath === '/') fail('metricsPath', o.metricsPath, "must not be '/'");
  if (o.metricsPath === o.healthPath)
    fail('metricsPath', o.metricsPath, 'must differ from healthPath');
  if (o.metricsPort !== false) {
    assertPort('metricsPort', o.metricsPort);
    if (o.metricsPort === o.listenPort || o.metricsPort === o.upstreamPort) {
      fail('metricsPort', o.metricsPort, 'must differ from listenPort and upstreamPort');
    }
  }
  if (o.rateLimit !== undefined) {
    assertInt('rateLimit.requestsPerSecond', o.rateLimit.requestsPerSecond, 1);
    assertInt('rateLimit.burst', o.rateLimit.burst, 0);
    assertInt('rateLimit.zoneSizeMiB', o.rateLimit.zoneSizeMiB, 1, 1024);
  }
}
