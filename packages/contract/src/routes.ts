/**
 * The service's operational routes: what the kubelet probes, what nginx treats specially and
 * what scrapers read. The prediction routes belong to the service alone. `metrics`,
 * `monitoring` and `reload` are served on the operational listener (`OPS_PORT`) only.
 */
export const OPERATIONAL_ROUTES = {
  /** Liveness: the process is up and its event loop answers. */
  health: '/healthz',
  /** Readiness: the model is loaded and warmed and nothing is draining. */
  ready: '/readyz',
  /** Prometheus metrics; never public (nginx serves them on the metrics port only). */
  metrics: '/metrics',
  /**
   * The drift monitoring page (training vs live shares, PSI); never public either: nginx
   * proxies it on the metrics port only.
   */
  monitoring: '/monitoring',
  /**
   * `POST`: reload a versioned model source now (read `current`, load and check the named
   * version beside the served one, switch). Never public: nginx proxies it on the metrics port
   * only, POST only.
   */
  reload: '/admin/reload',
} as const;

/** One of {@link OPERATIONAL_ROUTES}. */
export type OperationalRoute = (typeof OPERATIONAL_ROUTES)[keyof typeof OPERATIONAL_ROUTES];

/**
 * The pod's ports. nginx's is the only one the Service targets; the service binds loopback
 * for requests, and the pod IP for the kubelet's probes only.
 */
export const POD_PORTS = {
  /** nginx: the public port, the Service's targetPort (nginx-unprivileged's own default). */
  nginx: 8080,
  /** The service on 127.0.0.1 (`PORT`), reached through nginx only. */
  service: 8081,
  /** The service's probe listener (`PROBE_PORT`): `/healthz` and `/readyz` for the kubelet. */
  probes: 8082,
  /** The service's operational listener (`OPS_PORT`) on 127.0.0.1, reached by nginx's metrics server. */
  operations: 8083,
  /** nginx's metrics-only server: the operational listener's routes for in-cluster scrapers. */
  metrics: 9090,
} as const;

/**
 * The service's Prometheus metrics that others read by name: the autoscaler (scaling on
 * requests instead of CPU) and the alerting rules.
 */
export const SERVICE_METRICS = {
  /** Counter of requests answered, labelled `method`, `route`, `status`. */
  requests: 'http_requests_total',
  /** Histogram of request durations in seconds, labelled like `requests`. */
  requestDuration: 'http_request_duration_seconds',
  /** Gauge of requests received and not yet answered. */
  inFlight: 'http_requests_in_flight',
  /**
   * Counter of requests that presented a valid API key, labelled `client` (a name of the
   * key file, never anything else) and `status`.
   */
  clientRequests: 'modelship_client_requests_total',
  /** Gauge of records within the drift monitor's window (`MONITOR_WINDOW`). */
  driftWindowRecords: 'modelship_monitor_window_records',
  /**
   * Gauge of the records the drift window must hold before every PSI gauge is reported (each
   * bin then expects at least 5); below it a PSI is NaN. A PSI alert requires
   * `driftWindowRecords >= driftWindowRecordsNeeded`.
   */
  driftWindowRecordsNeeded: 'modelship_monitor_window_records_needed',
} as const;
