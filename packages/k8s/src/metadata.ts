import type { WorkloadSettings } from './workload-settings.ts';

/** Prefix of this project's annotations. */
export const ANNOTATION_PREFIX = 'modelship.dev';

/** Pod annotation holding the sha256 of nginx.conf, so that a config change rolls the pods. */
export const NGINX_CONF_CHECKSUM_ANNOTATION = `${ANNOTATION_PREFIX}/nginx-conf-sha256`;

/**
 * Labels that select the pods: only the stable ones (a Deployment's selector is immutable).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function selectorLabels(s: WorkloadSettings): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'modelship-inference',
    'app.kubernetes.io/instance': s.name,
  };
}

/** The recommended `app.kubernetes.io/*` labels of every object. */
export function commonLabels(s: WorkloadSettings): Record<string, string> {
  return {
    ...selectorLabels(s),
    'app.kubernetes.io/component': 'inference',
    'app.kubernetes.io/part-of': 'modelship',
    'app.kubernetes.io/managed-by': 'cdk8s',
    ...(s.appVersion === undefined ? {} : { 'app.kubernetes.io/version': s.appVersion }),
  };
}

/** The model's name, version and fingerprint as annotations (none when no model is given). */
export function modelAnnotations(s: WorkloadSettings): Record<string, string> {
  const model = s.model;
  if (model === undefined) return {};
  return {
    [`${ANNOTATION_PREFIX}/model-name`]: model.name,
    [`${ANNOTATION_PREFIX}/model-version`]: model.version,
    ...(model.fingerprint === undefined
      ? {}
      : { [`${ANNOTATION_PREFIX}/model-fingerprint`]: model.fingerprint }),
  };
}
