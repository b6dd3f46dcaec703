import { k8s } from 'cdk8s-plus-27';

/** Restricted-profile container security context for a fixed non-root user. */
export function securityContext(uid: number): k8s.SecurityContext {
  return {
    runAsUser: uid,
    runAsGroup: uid,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  };
}

/** An HTTP GET probe of `path` on `port`. */
export function httpProbe(
  path: string,
  port: number,
  timing: Omit<k8s.Probe, 'httpGet'>,
): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromNumber(port), scheme: 'HTTP' }, ...timing };
}
