import { assertInt, fail } from './validate.ts';

/**
 * How a pod of the workload stops. Every number of the termination sequence is derived here,
 * from the props below and nginx's `workerShutdownTimeoutSeconds`, so that the preStop hook,
 * nginx's drain, the service's `SHUTDOWN_DELAY` / `SHUTDOWN_TIMEOUT`, the pod's grace period
 * and the Ingress's connection draining cannot disagree.
 */
export interface TerminationOptions {
  /**
   * Seconds after a pod starts terminating during which load balancers may still send it new
   * connections: kube-proxy / Dataplane V2 take the pod out of the Service within seconds
   * (`externalTrafficPolicy: Cluster`); with `Local`, a passthrough load balancer keeps sending
   * new connections to the node until its health check of the node fails, which takes a few
   * check intervals; a proxy load balancer reaching the pods through NEGs (an Ingress or a
   * Gateway) must detach the endpoint and reprogram Google's front ends, which has taken longer
   * than 10 s in rollouts. nginx answers `Connection: close` for this long.
   * @see https://github.com/kubernetes/ingress-gce/issues/769
   * @default 30 with `containerNativeLoadBalancing` or `externalTrafficPolicy: Local`, else 10
   */
  readonly loadBalancerLagSeconds?: number;
  /**
   * Whether a proxy load balancer reaches the pods through network endpoint groups
   * (container-native load balancing): the Ingress, or a GKE Gateway such as `ModelRollout`'s.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
   * @default true with `ingress.enabled` (and behind `ModelRollout`'s Gateway), else false
   */
  readonly containerNativeLoadBalancing?: boolean;
  /**
   * Deadline of the service's drain once nginx has stopped (`SHUTDOWN_TIMEOUT`): queued model
   * work and idle connections; past it the service exits non-zero.
   * @default 20
   */
  readonly drainTimeoutSeconds?: number;
  /**
   * The pod's `terminationGracePeriodSeconds`; at least the sequence's own length.
   * @default the sequence's length (`serviceDelaySeconds + drainTimeoutSeconds + 5`)
   */
  readonly gracePeriodSeconds?: number;
}

/** Seconds the service outlives nginx's stop, for signal delivery and process exit. */
export const NGINX_EXIT_MARGIN_SECONDS = 2;
/** Seconds the grace period leaves beyond the service's drain deadline. */
export const GRACE_MARGIN_SECONDS = 5;

/**
 * The termination sequence, in seconds from the moment the pod starts terminating (T0):
 *
 * 1. T0: nginx's preStop hook creates the drain marker: from now on nginx answers every request
 *    with `Connection: close`, so each kept-alive client reconnects and lands on another pod
 *    once the load balancer has caught up. The service gets SIGTERM and keeps serving (its
 *    readiness turns false, except with `keepReadyDuringDelay`, see below).
 * 2. T0 + `loadBalancerLagSeconds`: the hook returns and nginx gets its stop signal: it stops
 *    listening, closes idle connections and finishes what is in flight within
 *    `worker_shutdown_timeout` (SIGQUIT; a SIGTERM finds nothing left in flight).
 * 3. T0 + `serviceDelaySeconds` (`SHUTDOWN_DELAY`), after nginx is certainly gone: the service
 *    closes its listener and drains within `drainTimeoutSeconds` (`SHUTDOWN_TIMEOUT`).
 * 4. T0 + `gracePeriodSeconds`: the kubelet kills whatever is left (nothing, normally).
 *
 * The service never stops before nginx, so no request nginx accepted finds the service gone
 * (which nginx would answer 502), on a proxy load balancer's connections or a passthrough
 * one's pinned client connections alike.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 * @see https://kubernetes.io/docs/tutorials/services/pods-and-endpoint-termination-flow/
 */
export interface TerminationTimeline {
  /** nginx's preStop: drain marker, then this long until nginx's stop signal. */
  readonly loadBalancerLagSeconds: number;
  /** Bound on nginx's graceful stop after its signal (`worker_shutdown_timeout`). */
  readonly nginxStopSeconds: number;
  /** The service's `SHUTDOWN_DELAY`: serve on until nginx has stopped. */
  readonly serviceDelaySeconds: number;
  /** The service's `SHUTDOWN_TIMEOUT`. */
  readonly drainTimeoutSeconds: number;
  /** The pod's `terminationGracePeriodSeconds`. */
  readonly gracePeriodSeconds: number;
  /**
   * Whether the service stays ready during its delay (`SHUTDOWN_READINESS=keep`). With
   * `externalTrafficPolicy: Local`, kube-proxy sends a node's new connections to a terminating
   * pod only while that pod is ready (serving), and the load balancer keeps sending them to the
   * node until its health check fails; an unready pod would see them dropped meanwhile. With
   * `Cluster` a terminating pod gets no new connections either way, and turning unready at once
   * also takes it out of every other endpoint list (Ingress NEGs).
   * @see https://kubernetes.io/blog/2022/12/30/advancements-in-kubernetes-traffic-engineering/#traffic-loss-from-load-balancers-during-rolling-updates
   */
  readonly keepReadyDuringDelay: boolean;
}

/** The defaults of {@link TerminationOptions} that do not depend on other props. */
export const TERMINATION_DEFAULTS = {
  clusterLoadBalancerLagSeconds: 10,
  localLoadBalancerLagSeconds: 30,
  negLoadBalancerLagSeconds: 30,
  drainTimeoutSeconds: 20,
} as const;

/**
 * Resolves and validates {@link TerminationOptions} into the {@link TerminationTimeline}.
 * Errors name the prop (`termination.*`) and its value.
 */
export function resolveTermination(
  options: TerminationOptions,
  context: {
    readonly externalTrafficPolicy: 'Cluster' | 'Local';
    readonly nginxStopSeconds: number;
    /** Whether the workload's own Ingress is on (NEGs then reach the pods). */
    readonly ingress?: boolean;
  },
): TerminationTimeline {
  const local = context.externalTrafficPolicy === 'Local';
  const neg = options.containerNativeLoadBalancing ?? context.ingress ?? false;
  const lag =
    options.loadBalancerLagSeconds ??
    Math.max(
      TERMINATION_DEFAULTS.clusterLoadBalancerLagSeconds,
      local ? TERMINATION_DEFAULTS.localLoadBalancerLagSeconds : 0,
      neg ? TERMINATION_DEFAULTS.negLoadBalancerLagSeconds : 0,
    );
  const drain = options.drainTimeoutSeconds ?? TERMINATION_DEFAULTS.drainTimeoutSeconds;
  assertInt('termination.loadBalancerLagSeconds', lag, 0, 300);
  assertInt('termination.drainTimeoutSeconds', drain, 1, 600);
  const serviceDelaySeconds = lag + context.nginxStopSeconds + NGINX_EXIT_MARGIN_SECONDS;
  const sequence = serviceDelaySeconds + drain + GRACE_MARGIN_SECONDS;
  const grace = options.gracePeriodSeconds ?? sequence;
  assertInt('termination.gracePeriodSeconds', grace, 1);
  if (grace < sequence) {
    fail(
      'termination.gracePeriodSeconds',
      grace,
      `must be >= loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds + ${NGINX_EXIT_MARGIN_SECONDS} + drainTimeoutSeconds + ${GRACE_MARGIN_SECONDS} (${sequence}), or the drain is cut short`,
    );
  }
  return {
    loadBalancerLagSeconds: lag,
    nginxStopSeconds: context.nginxStopSeconds,
    serviceDelaySeconds,
    drainTimeoutSeconds: drain,
    gracePeriodSeconds: grace,
    keepReadyDuringDelay: local,
  };
}
