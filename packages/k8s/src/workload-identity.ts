import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ANNOTATION_PREFIX, objectMeta, type WorkloadMeta, workloadMeta } from './metadata.ts';
import { assertDnsLabel, fail } from './validate.ts';

/** The model served, shown as annotations on the Deployment and its pods. */
export interface ModelMetadata {
  /** Model name, e.g. `insurance-charges`. */
  readonly name: string;
  /** Model version, e.g. `1.0.0`. */
  readonly version: string;
  /** sha256 of the model's feature schema. @default undefined (no annotation) */
  readonly fingerprint?: string;
}

/** What names the workload and its pods' identity. */
export interface IdentityProps {
  /** Base name of every object, and the `app.kubernetes.io/instance` label. @default 'inference' */
  readonly name?: string;
  /** Namespace of every object. @default undefined (the namespace `kubectl` applies to) */
  readonly namespace?: string;
  /** The model served (annotations). @default undefined (no model annotations) */
  readonly model?: ModelMetadata;
  /** `app.kubernetes.io/version` label. @default model.version, else none */
  readonly appVersion?: string;
  /** Annotations on the ServiceAccount, e.g. `iam.gke.io/gcp-service-account` for Workload Identity. @default {} */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
}

/** The defaults of {@link IdentityProps} (the others have none). */
export const IDENTITY_DEFAULTS = {
  name: 'inference',
  serviceAccountAnnotations: {},
} as const satisfies Required<Pick<IdentityProps, 'name' | 'serviceAccountAnnotations'>>;

/** {@link IdentityProps} with defaults applied. */
export interface ResolvedIdentity {
  readonly meta: WorkloadMeta;
  readonly model: ModelMetadata | undefined;
  readonly appVersion: string | undefined;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Whether the ServiceAccount is bound to a Google service account. */
  readonly workloadIdentity: boolean;
}

/** The ServiceAccount annotation that binds the pods to a Google service account. */
export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

/** Applies the defaults of {@link IdentityProps} and validates them. */
export function resolveIdentity(props: IdentityProps): ResolvedIdentity {
  const name = props.name ?? IDENTITY_DEFAULTS.name;
  const appVersion = props.appVersion ?? props.model?.version;
  // Derived names (`<name>-nginx`, `<name>-backendconfig`) must stay valid DNS labels.
  assertDnsLabel('name', name, 40);
  if (!/^[a-z]/.test(name)) fail('name', name, 'must start with a letter (Service names)');
  if (props.namespace !== undefined) assertDnsLabel('namespace', props.namespace);
  if (
    appVersion !== undefined &&
    !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/.test(appVersion)
  ) {
    fail(
      'appVersion',
      appVersion,
      'must be a valid label value (63 characters: letters, digits, -_.)',
    );
  }
  const serviceAccountAnnotations: Readonly<Record<string, string>> =
    props.serviceAccountAnnotations ?? IDENTITY_DEFAULTS.serviceAccountAnnotations;
  return {
    meta: workloadMeta(name, props.namespace, appVersion),
    model: props.model,
    appVersion,
    serviceAccountAnnotations,
    workloadIdentity: serviceAccountAnnotations[WORKLOAD_IDENTITY_ANNOTATION] !== undefined,
  };
}

/** The model's name, version and fingerprint as annotations (none when no model is given). */
export function modelAnnotations(model: ModelMetadata | undefined): Record<string, string> {
  if (model === undefined) return {};
  return {
    [`${ANNOTATION_PREFIX}/model-name`]: model.name,
    [`${ANNOTATION_PREFIX}/model-version`]: model.version,
    ...(model.fingerprint === undefined
      ? {}
      : { [`${ANNOTATION_PREFIX}/model-fingerprint`]: model.fingerprint }),
  };
}

/** The pods' ServiceAccount, without a mounted token. */
export function serviceAccount(
  scope: Construct,
  meta: WorkloadMeta,
  identity: ResolvedIdentity,
): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, 'service-account', {
    metadata: { ...objectMeta(meta), annotations: { ...identity.serviceAccountAnnotations } },
    automountServiceAccountToken: false,
  });
}
