import type { LogLevel } from '@modelship/contract';
import type { DerivedNginxOption, NginxConfOptions } from './nginx-conf-options.ts';
import type { ModelSourceOptions } from './workload-model-source.ts';
import type { TerminationOptions } from './workload-termination.ts';

/**
 * The nginx image that fronts the service: unprivileged (uid 101), listens on 8080. nginx's
 * current stable line (1.30; 1.27 is end of life, and nginx builds no bookworm images after
 * 1.29), on Debian trixie. Pin it by digest too (`name:tag@sha256:...`) with `nginxImage`.
 * @see https://nginx.org/en/download.html
 * @see https://hub.docker.com/r/nginxinc/nginx-unprivileged
 */
export const DEFAULT_NGINX_IMAGE = 'nginxinc/nginx-unprivileged:1.30.5-trixie';

/** CPU, memory and ephemeral storage of one container, requests or limits. */
export interface ResourceAmounts {
  /** CPU in millicores (1000 = one vCPU). */
  readonly cpuMillis: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** Ephemeral storage (container writable layer, logs, emptyDir) in MiB. */
  readonly ephemeralStorageMiB: number;
}

/** Requests and limits of one container. */
export interface ContainerResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** The model served, shown as annotations on the Deployment and its pods. */
export interface ModelMetadata {
  /** Model name, e.g. `insurance-charges`. */
  readonly name: string;
  /** Model version, e.g. `1.0.0`. */
  readonly version: string;
  /** sha256 of the model's feature schema. @default undefined (no annotation) */
  readonly fingerprint?: string;
}

/** The inference container's runtime settings (see the service's environment contract). */
export interface InferenceServiceOptions {
  /** Port the service binds on 127.0.0.1. @default 8081 */
  readonly port?: number;
  /** Largest request body in bytes (`BODY_LIMIT`, and nginx `client_max_body_size`). @default 1048576 */
  readonly bodyLimitBytes?: number;
  /**
   * The service's probe port (`PROBE_PORT`) on the pod IP: `/healthz` and `/readyz` only, for
   * the kubelet's liveness probe, which thus never depends on nginx.
   * @default 8082
   */
  readonly probePort?: number;
  /** Keep-alive timeout of the service's HTTP server in seconds (`KEEPALIVE_TIMEOUT`). @default 65 */
  readonly keepaliveTimeoutSeconds?: number;
  /** Rows per request and per onnxruntime run (`MAX_BATCH`). @default 1000 */
  readonly maxBatch?: number;
  /** Log level (`LOG_LEVEL`). @default 'info' */
  readonly logLevel?: LogLevel;
  /** Coalesce concurrent requests into one onnxruntime run (`BATCHING`). @default undefined (the service's: on) */
  readonly batching?: boolean;
  /** Most rows waiting for a run before 503 (`MAX_QUEUE`). @default undefined (the service's: 10000) */
  readonly maxQueueRows?: number;
  /** onnxruntime intra-op threads (`ORT_INTRA_OP_THREADS`). @default undefined (the service's: 1) */
  readonly ortIntraOpThreads?: number;
  /**
   * Model directory inside the image (`MODEL_DIR`); set by the construct with a `gcs`
   * `modelSource`. @default undefined (the image's own)
   */
  readonly modelDir?: string;
  /**
   * Google Cloud project id (`GOOGLE_CLOUD_PROJECT`): traced requests' log lines then link to
   * Cloud Trace (Cloud Logging's `logging.googleapis.com/trace` field).
   * @default undefined (trace and span ids are logged without the link)
   */
  readonly googleCloudProject?: string;
  /**
   * The drift monitor's sliding window (`MONITOR_WINDOW`): a number of records (`10000`) or a
   * duration (`'15m'`, `'1h'`, at most 24 h). Used when the model directory has a
   * `profile.json`.
   * @default undefined (the service's: the last 10000 records)
   */
  readonly monitorWindow?: number | string;
  /**
   * The share of prediction requests written as one JSON payload line each
   * (`PAYLOAD_LOG_SAMPLE`, 0..1; sensitive fields redacted). Lines beyond what stdout takes
   * are dropped and counted, never queued without bound.
   * @default undefined (the service's: 0, no payload logs)
   */
  readonly payloadLogSample?: number;
  /**
   * Seconds between two reads of a versioned model source's `current` file
   * (`MODEL_POLL_INTERVAL`, 0..3600; 0: reload on the admin route only).
   * @default undefined (the service's: 5 s)
   */
  readonly modelPollIntervalSeconds?: number;
  /** Further environment variables; may not redefine the ones above. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Seconds the model may take to load before the pod is restarted. @default 120 */
  readonly startupTimeoutSeconds?: number;
}

/**
 * Scaling on the service's own load (besides CPU), read from Google Cloud Managed Service for
 * Prometheus through the Custom Metrics Stackdriver Adapter (which must be installed: see the
 * README's "Autoscaling on requests").
 */
export interface RequestAutoscalingOptions {
  /**
   * `requestsPerSecond`: the rate of the service's `http_requests_total` per pod;
   * `inFlight`: its `http_requests_in_flight` gauge per pod (requests being answered).
   */
  readonly signal: 'requestsPerSecond' | 'inFlight';
  /** The average per pod to aim for, e.g. 80 % of one pod's measured capacity (`pnpm plan`). */
  readonly targetPerPod: number;
}

/** HorizontalPodAutoscaler settings. */
export interface AutoscalingOptions {
  /**
   * Also scale on requests per second or in-flight requests per pod (a `Pods` metric from
   * Managed Service for Prometheus); the HPA follows whichever of CPU and this asks for more
   * pods. Needs `metrics.podMonitoring`.
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/hpa
   * @default undefined (CPU only)
   */
  readonly requests?: RequestAutoscalingOptions;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /**
   * Average CPU utilization of the `inference` container, in percent of its CPU request, to aim
   * for (an autoscaling/v2 `ContainerResource` metric: nginx's mostly idle CPU does not dilute
   * it, as it would a pod-level average). Needs Kubernetes ≥ 1.30 (GA), which every supported GKE
   * version has.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#container-resource-metrics
   * @default 70
   */
  readonly cpuUtilizationPercent?: number;
  /** How long the recommendation must stay lower before scaling down, in seconds. @default 300 */
  readonly scaleDownStabilizationSeconds?: number;
  /** At most this percentage of pods removed per minute. @default 50 */
  readonly scaleDownMaxPercentPerMinute?: number;
  /** At most this many pods added per 15 s (or doubling, whichever is more). @default 4 */
  readonly scaleUpMaxPodsPer15Seconds?: number;
}

/** The Service that exposes nginx. */
export interface ServiceOptions {
  /** @default 'LoadBalancer' */
  readonly type?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Port the Service listens on. @default 80 */
  readonly port?: number;
  /**
   * For `LoadBalancer`: an internet-facing (`external`) or VPC-internal (`internal`) load balancer.
   * @default 'external'
   */
  readonly loadBalancer?: 'external' | 'internal';
  /**
   * Ask GKE for a backend-service-based passthrough Network Load Balancer
   * (`cloud.google.com/l4-rbs`) for an external load balancer.
   * @default true
   */
  readonly backendServiceBased?: boolean;
  /**
   * `Cluster` (the default) lets every node forward to any ready pod, so a node whose last pod
   * is terminating never drops a new connection, and the load balancer's health checks and
   * node drains need nothing from the pod; nginx then sees a node's address (SNAT), not the
   * client's. `Local` keeps the client's source IP and avoids a hop, but such a node keeps
   * receiving new connections until the load balancer's node health check fails; kube-proxy
   * sends them to a terminating pod only while it is ready, so with `Local` the construct keeps
   * the service ready through its delay (`SHUTDOWN_READINESS=keep`) and defaults
   * `termination.loadBalancerLagSeconds` to 30.
   * @see https://kubernetes.io/docs/tutorials/services/pods-and-endpoint-termination-flow/
   * @see https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip
   * @default 'Cluster'
   */
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** Client CIDRs allowed through the load balancer. @default undefined (all) */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** Extra annotations on the Service. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An optional GKE Ingress (HTTP(S) load balancer) with container-native load balancing. */
export interface IngressOptions {
  /** @default false */
  readonly enabled?: boolean;
  /** Host the Ingress answers for. @default undefined (any host) */
  readonly host?: string;
  /** Name of a reserved global static IP (`kubernetes.io/ingress.global-static-ip-name`). @default undefined */
  readonly staticIpName?: string;
  /** Backend-service timeout in seconds (the load balancer's response timeout). @default 60 */
  readonly timeoutSeconds?: number;
}

/**
 * Prometheus metrics. The public port never serves them (nginx answers 404 there); nginx serves
 * the service's `/metrics` on a port of its own (container port `metrics`), which only the
 * scrapers' namespaces may reach (NetworkPolicy).
 */
export interface MetricsOptions {
  /** Serve metrics on the metrics port. @default true */
  readonly enabled?: boolean;
  /** nginx's metrics-only port. @default 9090 */
  readonly port?: number;
  /**
   * Namespaces whose pods may scrape the metrics port. Google Cloud Managed Service for
   * Prometheus runs its collectors in `gke-gmp-system` when GKE manages the collection (the
   * default on GKE ≥ 1.27 and Autopilot, what `podMonitoring` uses) and in `gmp-system` when
   * it is deployed by hand (self-deployed or on non-GKE clusters); the default admits both.
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-unmanaged
   * @default ['gke-gmp-system', 'gmp-system']
   */
  readonly scraperNamespaces?: readonly string[];
  /**
   * Also create a `PodMonitoring` (monitoring.googleapis.com/v1) so that GKE's managed
   * collection scrapes the pods. A custom resource: the cluster needs managed collection
   * (on by default on GKE ≥ 1.27 and Autopilot).
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
   * @default false
   */
  readonly podMonitoring?: boolean;
  /** Scrape interval of the PodMonitoring. @default '30s' */
  readonly scrapeInterval?: string;
  /**
   * Alerting rules for Google Cloud Managed Service for Prometheus (a `Rules` custom
   * resource beside the PodMonitoring): input drift, the 5xx share, the p99 latency.
   * @default { enabled: false }
   */
  readonly alertRules?: AlertRulesOptions;
}

/**
 * Alerting rules evaluated by Google Cloud Managed Service for Prometheus
 * (`monitoring.googleapis.com/v1` `Rules`, namespaced: they see this namespace's series only).
 * Route the alerts with Cloud Monitoring notification channels or an Alertmanager.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/rules-managed
 */
export interface AlertRulesOptions {
  /** Create the `Rules` resource (needs `metrics.podMonitoring`). @default false */
  readonly enabled?: boolean;
  /** Alert when a field's `modelship_feature_drift_psi` stays above this. @default 0.25 */
  readonly driftPsi?: number;
  /** ... for this long. @default '30m' */
  readonly driftFor?: string;
  /** Alert when the share of 5xx answers stays above this (0..1). @default 0.05 */
  readonly errorRatio?: number;
  /** ... for this long. @default '10m' */
  readonly errorFor?: string;
  /** Alert when the p99 latency of the prediction routes stays above this. @default 0.5 */
  readonly p99LatencySeconds?: number;
  /** ... for this long. @default '10m' */
  readonly latencyFor?: string;
  /** The `rate()` window of the 5xx and latency expressions. @default '5m' */
  readonly rateWindow?: string;
}

/**
 * Pod placement across failure domains (`maxSkew: 1` per zone and per node, counted per
 * ReplicaSet).
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export interface TopologySpreadOptions {
  /**
   * What to do when zones cannot be balanced. `ScheduleAnyway` is only a preference: the
   * minimum replicas can all land in one zone. `DoNotSchedule` holds the spread, but a pod stays
   * Pending when no zone can take it, and nodes without a `topology.kubernetes.io/zone` label
   * (kind, minikube) cannot run the pods at all.
   * @default 'ScheduleAnyway'
   */
  readonly zones?: 'ScheduleAnyway' | 'DoNotSchedule';
  /**
   * Zones the pods must cover before any zone takes a second one (`minDomains`, requires
   * `zones: 'DoNotSchedule'`). The scheduler only counts zones that have nodes already, so
   * without it a regional cluster whose nodes sit in one zone (a new Autopilot cluster, a
   * Standard pool scaled down) gets every pod in that zone; with it the extra pods wait
   * Pending until the cluster autoscaler (or Autopilot) adds a node in another zone. Set it to
   * `min(autoscaling.minReplicas, zones in the region)` on regional clusters (GKE regions have
   * at least 3 zones). Never set it above the zones the cluster can reach: on a zonal cluster
   * the pods beyond the first would stay Pending.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters
   * @default undefined (no minDomains)
   */
  readonly minZones?: number;
  /** What to do when nodes cannot be balanced. @default 'ScheduleAnyway' */
  readonly nodes?: 'ScheduleAnyway' | 'DoNotSchedule';
}

/**
 * What the NetworkPolicy lets the pods reach. Each rule names every address GKE may use for the
 * service, so that one manifest works on Autopilot and Standard, with either DNS provider and
 * either dataplane; an address a cluster does not use simply matches nothing.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
 */
export interface EgressOptions {
  /**
   * DNS, UDP and TCP 53, to whichever resolver the pod's resolv.conf names:
   * - kube-dns (Standard's default provider): the `k8s-app: kube-dns` pods in kube-system;
   * - NodeLocal DNSCache (always on in Autopilot, on by default in recent Standard versions):
   *   169.254.20.10 and the `k8s-app: node-local-dns` pods;
   * - Cloud DNS for GKE (Autopilot's default provider): the node's metadata server,
   *   169.254.169.254.
   * Without Dataplane V2 (Calico network policy) NodeLocal DNSCache also answers on the
   * kube-dns Service IP; allow that address in a policy of your own.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-dns
   * @default true with Workload Identity, else false
   */
  readonly dns?: boolean;
  /**
   * The GKE metadata server, which hands out Workload Identity tokens: 169.254.169.254 TCP 80
   * (what the pod dials; Dataplane V2 checks the policy before translating the address) and
   * 169.254.169.252 TCP 988 (where the Calico dataplane has already sent it when the policy is
   * checked).
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy#network-policy-and-workload-identity
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity#metadata_server
   * @default true with Workload Identity, else false
   */
  readonly metadataServer?: boolean;
  /**
   * HTTPS (TCP 443) to Google APIs, which the Cloud Storage FUSE sidecar calls from inside the
   * pod (storage.googleapis.com, sts.googleapis.com): to `modelSource.googleApisCidrs`, or to
   * any address when none are given (a NetworkPolicy cannot name hosts).
   * @default true with a `gcs` modelSource, else false
   */
  readonly googleApis?: boolean;
}

/** Props for {@link InferenceWorkload}. */
export interface InferenceWorkloadProps {
  /** Image of the inference service, e.g. `REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`. */
  readonly image: string;
  /** Base name of every object, and the `app.kubernetes.io/instance` label. @default 'inference' */
  readonly name?: string;
  /** Namespace of every object. @default undefined (the namespace `kubectl` applies to) */
  readonly namespace?: string;
  /** The model served (annotations). @default undefined (no model annotations) */
  readonly model?: ModelMetadata;
  /**
   * Where the served model comes from: the image (`{ source: 'image' }`), or a versioned source
   * in a Cloud Storage bucket mounted read-only by the GKE Cloud Storage FUSE CSI driver
   * (`{ source: 'gcs', bucket, prefix }`): MODEL_DIR then points at the mount and hot reload
   * follows the bucket's `current` object. The pods' ServiceAccount needs
   * `roles/storage.objectViewer` on the bucket (Workload Identity Federation; see the README).
   * @default { source: 'image' }
   */
  readonly modelSource?: ModelSourceOptions;
  /** `app.kubernetes.io/version` label. @default model.version, else none */
  readonly appVersion?: string;
  /**
   * Pull policy of the inference container. By default it follows `image`: `Always` for a tag,
   * which may be pushed again (with `IfNotPresent` a node holding the old image would keep
   * running it), `IfNotPresent` for a digest, which cannot change. Set `IfNotPresent` for an
   * image loaded into a local cluster.
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   * @default 'Always' for `name:tag`, 'IfNotPresent' for `name[:tag]@sha256:...`
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** The inference container's settings. @default {} */
  readonly inference?: InferenceServiceOptions;
  /**
   * nginx image: `name:tag`, `name@sha256:<64 hex>` or `name:tag@sha256:<64 hex>`.
   * @default DEFAULT_NGINX_IMAGE
   */
  readonly nginxImage?: string;
  /**
   * Pull policy of the nginx container, by default following `nginxImage` as `imagePullPolicy`
   * follows `image`.
   * @default 'Always' for a tag, 'IfNotPresent' for a digest
   */
  readonly nginxImagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * nginx options; `listenPort`, `upstreamPort`, `bodyLimitBytes` and the metrics port and path
   * are derived and may not be set here.
   * @default {}
   */
  readonly nginx?: Omit<NginxConfOptions, DerivedNginxOption>;
  /** Prometheus metrics for in-cluster scrapers. @default {} */
  readonly metrics?: MetricsOptions;
  /** Requests and limits. @default DEFAULT_RESOURCES */
  readonly resources?: {
    readonly nginx?: ContainerResources;
    readonly inference?: ContainerResources;
  };
  /** @default {} */
  readonly autoscaling?: AutoscalingOptions;
  /** @default {} */
  readonly service?: ServiceOptions;
  /** @default { enabled: false } */
  readonly ingress?: IngressOptions;
  /** @default {} */
  readonly topologySpread?: TopologySpreadOptions;
  /**
   * The termination sequence (nginx's drain, the service's delay and drain, the grace period),
   * derived from these few numbers (`TerminationTimeline` in workload-termination.ts).
   * @default {}
   */
  readonly termination?: TerminationOptions;
  /** Extra pods allowed during a rolling update (maxUnavailable is always 0). @default '25%' */
  readonly maxSurge?: number | string;
  /** Pods a voluntary disruption may take down at once (PodDisruptionBudget). @default 1 */
  readonly maxUnavailableDuringDisruption?: number;
  /**
   * Egress allowed by the NetworkPolicy; everything else is denied (the model is in the image
   * and the service talks only to nginx, over loopback). `'none'` is `{}`, `'dns'` is
   * `{ dns: true }`; with Workload Identity (`serviceAccountAnnotations` has
   * `iam.gke.io/gcp-service-account`) DNS and the metadata server are open unless set false.
   * Other destinations (Google APIs on 443, say): add a NetworkPolicy of your own selecting the
   * same pods; policies add up.
   * @default 'none'
   */
  readonly egress?: 'none' | 'dns' | EgressOptions;
  /** Annotations on the ServiceAccount, e.g. `iam.gke.io/gcp-service-account` for Workload Identity. @default {} */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
}
