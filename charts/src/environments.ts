import { DEFAULT_RESOURCES, type InferenceWorkloadProps } from '@modelship/k8s';
import { CAPACITY } from './capacity.ts';
import type { EnvironmentName } from './environment-names.ts';

export { ENVIRONMENT_NAMES, type EnvironmentName } from './environment-names.ts';

/** What an environment chooses: everything but the model, which comes from its schema. */
export interface Environment {
  /** Image used when `IMAGE` is not set. */
  readonly defaultImage: string;
  /**
   * Images must be in Artifact Registry form (`REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`
   * or `@sha256:...`).
   */
  readonly requireArtifactRegistry: boolean;
  /**
   * Serve HTTPS at nginx from the `kubernetes.io/tls` Secret `<name>-tls` (the runbook creates
   * it), the plain port redirecting; `false` serves plain HTTP.
   */
  readonly https: boolean;
  /** The workload's props, except the image, the model and `tls` (from `https`). */
  readonly workload: Omit<InferenceWorkloadProps, 'image' | 'model' | 'tls'>;
}

/**
 * Every environment, configured in this one place.
 *
 * - `gke`: production on GKE (Autopilot or Standard): 2-10 replicas, the default resources
 *   (Autopilot-compatible), an external backend-service-based passthrough load balancer on
 *   port 80 with `externalTrafficPolicy: Local` (see the Service below), no client-IP header
 *   trusted (the passthrough load balancer passes none). HTTPS is on: the API is on a
 *   public address, where plain HTTP would expose every request's data (about people, in the
 *   bundled model) and its answer to anyone on the path; port 443 serves it, 80 redirects.
 *   Pods wait for the `<name>-tls` Secret, which the runbook creates before applying.
 * - `local`: a local cluster (kind, minikube, k3d, Docker Desktop): one to three small pods, a
 *   ClusterIP Service reached with `kubectl port-forward`, the image loaded into the cluster.
 */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, Environment>> = {
  gke: {
    defaultImage: 'us-central1-docker.pkg.dev/my-project/modelship/inference:0.1.0',
    requireArtifactRegistry: true,
    https: true,
    workload: {
      name: 'insurance',
      resources: DEFAULT_RESOURCES,
      autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilizationPercent: 70 },
      // Local: the client's own address reaches nginx (no SNAT), so its per-address limits
      // (limit_req, limit_conn) are on and the access log names real clients; no second hop
      // between nodes. The costs: only nodes with a ready pod get traffic, balanced by GKE's
      // health check of each node (healthCheckNodePort); weighted load balancing shares new
      // connections by the ready pods per node instead of per node (GKE >= 1.31.0-gke.1506000).
      // Termination stays zero-drop: the service keeps ready through its delay and nginx's
      // preStop waits 30 s while the health check moves new connections off the node
      // (@modelship/k8s's resolveTermination). docs/gke.md argues it.
      service: {
        type: 'LoadBalancer',
        loadBalancer: 'external',
        backendServiceBased: true,
        externalTrafficPolicy: 'Local',
        annotations: { 'networking.gke.io/weighted-load-balancing': 'pods-per-node' },
      },
      ingress: { enabled: false },
      // GKE clusters are regional here (Autopilot always is; the runbook's Standard cluster is
      // too): the two minimum replicas must sit in two zones, even while the cluster has nodes
      // in one zone only (the second pod waits for a node in another zone).
      topologySpread: { zones: 'DoNotSchedule', minZones: 2 },
      // Metrics on the pods' port 9090 for Managed Service for Prometheus's collectors (the
      // default scraper namespaces: gke-gmp-system when GKE manages the collection, gmp-system
      // when self-deployed). `podMonitoring: true` also makes the cluster scrape them; it is a
      // custom resource, so it needs managed collection (on by default on GKE >= 1.27 and
      // Autopilot).
      metrics: { podMonitoring: false },
      // Autoscaling and resources from a measured capacity (`pnpm plan --env gke --write`).
      ...CAPACITY.gke?.workload,
    },
  },
  local: {
    defaultImage: 'localhost/modelship/inference:dev',
    requireArtifactRegistry: false,
    // Reached with `kubectl port-forward` on a ClusterIP Service: nothing on a network.
    https: false,
    workload: {
      name: 'insurance',
      imagePullPolicy: 'IfNotPresent',
      resources: {
        nginx: {
          requests: { cpuMillis: 50, memoryMiB: 64, ephemeralStorageMiB: 64 },
          limits: { cpuMillis: 250, memoryMiB: 64, ephemeralStorageMiB: 256 },
        },
        inference: {
          requests: { cpuMillis: 250, memoryMiB: 384, ephemeralStorageMiB: 128 },
          limits: { cpuMillis: 1000, memoryMiB: 384, ephemeralStorageMiB: 512 },
        },
      },
      autoscaling: { minReplicas: 1, maxReplicas: 3, cpuUtilizationPercent: 70 },
      service: { type: 'ClusterIP' },
      nginx: { realIp: false, workerProcesses: 1 },
      ...CAPACITY.local?.workload,
    },
  },
};
