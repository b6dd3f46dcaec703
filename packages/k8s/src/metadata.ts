/** Prefix of this project's annotations. */
export const ANNOTATION_PREFIX = 'modelship.dev';

/** Pod annotation holding the sha256 of nginx.conf, so that a config change rolls the pods. */
export const NGINX_CONF_CHECKSUM_ANNOTATION = `${ANNOTATION_PREFIX}/nginx-conf-sha256`;

/** What every object of a workload carries: its names, namespace and labels. */
export interface WorkloadMeta {
  /** Base name of every object. */
  readonly name: string;
  readonly namespace: string | undefined;
  /** The recommended `app.kubernetes.io/*` labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
  /** The stable labels that select the pods (a Deployment's selector is immutable). */
  readonly selector: Readonly<Record<string, string>>;
}

/**
 * The names and labels of a workload named `name`.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function workloadMeta(
  name: string,
  namespace: string | undefined,
  appVersion: string | undefined,
): WorkloadMeta {
  const selector = {
    'app.kubernetes.io/name': 'modelship-inference',
    'app.kubernetes.io/instance': name,
  };
  const labels = {
    ...selector,
    'app.kubernetes.io/component': 'inference',
    'app.kubernetes.io/part-of': 'modelship',
    'app.kubernetes.io/managed-by': 'cdk8s',
    ...(appVersion === undefined ? {} : { 'app.kubernetes.io/version': appVersion }),
  };
  return { name, namespace, labels, selector };
}

/** The object metadata of a workload's object named `name` (the workload's own by default). */
export function objectMeta(meta: WorkloadMeta, name = meta.name) {
  return { name, namespace: meta.namespace, labels: { ...meta.labels } };
}
