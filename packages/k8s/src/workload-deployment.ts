import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { fail } from './validate.ts';
import { type ResolvedTopologySpread, topologySpreadConstraints } from './workload-placement.ts';

/** How the Deployment rolls out a new version. */
export interface DeploymentOptions {
  /** Extra pods allowed during a rolling update (maxUnavailable is always 0). @default '25%' */
  readonly maxSurge?: number | string;
}

/** {@link DeploymentOptions} with defaults applied. */
export type ResolvedDeployment = Required<DeploymentOptions>;

/** The defaults of {@link DeploymentOptions}. */
export const DEPLOYMENT_DEFAULTS = {
  maxSurge: '25%',
} as const satisfies ResolvedDeployment;

/** Applies the defaults of {@link DeploymentOptions} and validates them. */
export function resolveDeployment(props: DeploymentOptions): ResolvedDeployment {
  const surge = props.maxSurge ?? DEPLOYMENT_DEFAULTS.maxSurge;
  if (
    typeof surge === 'number'
      ? !Number.isInteger(surge) || surge < 1
      : !/^([1-9]\d?|100)%$/.test(surge)
  ) {
    fail(
      'maxSurge',
      surge,
      "must be a positive integer or a percentage '1%'..'100%' (maxUnavailable is 0)",
    );
  }
  return { maxSurge: surge };
}

/** What the pods are made of, from the other sections. */
export interface PodParts {
  /** Annotations of the Deployment, repeated on its pods. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Further annotations of the pods only. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly containers: readonly k8s.Container[];
  readonly volumes: readonly k8s.Volume[];
  readonly serviceAccountName: string;
  readonly terminationGracePeriodSeconds: number;
  readonly topologySpread: ResolvedTopologySpread;
}

/** The pod spec: the containers under restricted security, spread over zones and nodes. */
function podSpec(meta: WorkloadMeta, spec: PodParts): k8s.PodSpec {
  return {
    serviceAccountName: spec.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [...spec.containers],
    volumes: [...spec.volumes],
    topologySpreadConstraints: topologySpreadConstraints(meta, spec.topologySpread),
  };
}

/**
 * The Deployment: no `replicas` (the HPA owns the count; re-applying would otherwise reset it)
 * and rolling updates that surge and never take a serving pod away first.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
 */
export function deployment(
  scope: Construct,
  meta: WorkloadMeta,
  options: ResolvedDeployment,
  spec: PodParts,
): k8s.KubeDeployment {
  const labels = { ...meta.labels };
  return new k8s.KubeDeployment(scope, 'deployment', {
    metadata: { ...objectMeta(meta), annotations: { ...spec.annotations } },
    spec: {
      selector: { matchLabels: { ...meta.selector } },
      revisionHistoryLimit: 5,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: {
          maxSurge:
            typeof options.maxSurge === 'number'
              ? k8s.IntOrString.fromNumber(options.maxSurge)
              : k8s.IntOrString.fromString(options.maxSurge),
          maxUnavailable: k8s.IntOrString.fromNumber(0),
        },
      },
      template: {
        metadata: { labels, annotations: { ...spec.annotations, ...spec.podAnnotations } },
        spec: podSpec(meta, spec),
      },
    },
  });
}
