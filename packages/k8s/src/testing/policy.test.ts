import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InferenceWorkload } from '../inference-workload.ts';
import type { KubeObject } from './kube-schema.ts';
import {
  autoscalerViolations,
  containerPolicyViolations,
  probeViolations,
  selectorViolations,
  serviceViolations,
  volumeViolations,
} from './policy.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests break synthesized JSON on purpose
type Manifest = any;

/** A fresh, compliant set of objects to break one field at a time. */
function objects(props: { gcs?: boolean } = {}): Manifest[] {
  const chart = Testing.chart();
  new InferenceWorkload(chart, 'w', {
    image: 'acme/inference:1.0.0',
    tls: { secretName: 'w-tls' },
    ...(props.gcs ? { modelSource: { source: 'gcs', bucket: 'acme', prefix: 'models/m' } } : {}),
  });
  return Testing.synth(chart);
}
const kind = (objs: Manifest[], k: string) => objs.find((o) => o.kind === k);
const container = (objs: Manifest[], name: string) =>
  kind(objs, 'Deployment').spec.template.spec.containers.find((c: Manifest) => c.name === name);

describe('policy checks catch what they promise', () => {
  it('container policy: resources, probes, users, filesystem, capabilities, seccomp', () => {
    const objs = objects();
    const c = container(objs, 'inference');
    delete c.resources.limits.memory;
    delete c.readinessProbe;
    c.securityContext.runAsUser = 0;
    c.securityContext.readOnlyRootFilesystem = false;
    c.securityContext.capabilities.drop = [];
    c.securityContext.allowPrivilegeEscalation = true;
    delete kind(objs, 'Deployment').spec.template.spec.securityContext.seccompProfile;
    expect(containerPolicyViolations(objs as KubeObject[])).toEqual(
      expect.arrayContaining([
        'inference/inference: no memory limits',
        'inference/inference: no readinessProbe',
        'inference/inference: no numeric non-root runAsUser',
        'inference/inference: root filesystem is writable',
        'inference/inference: capabilities not dropped (ALL)',
        'inference/inference: privilege escalation allowed',
        'inference/nginx: seccompProfile is not RuntimeDefault',
      ]),
    );
  });

  it('probes: undeclared port and unserved path', () => {
    const objs = objects();
    container(objs, 'inference').livenessProbe.httpGet.port = 8081;
    container(objs, 'inference').readinessProbe.httpGet.path = '/ready';
    container(objs, 'nginx').livenessProbe.httpGet.path = '/health';
    expect(probeViolations(objs as KubeObject[], ['/healthz', '/readyz']).sort()).toEqual([
      'inference/inference livenessProbe: port 8081 is not a declared container port',
      'inference/inference readinessProbe: path /ready is not served',
      'inference/nginx livenessProbe: path /health is not served',
    ]);
  });

  it('services: a target port no container declares, a selector that matches nothing', () => {
    const objs = objects();
    kind(objs, 'Service').spec.ports[0].targetPort = 8081;
    expect(serviceViolations(objs as KubeObject[])).toEqual([
      'Service/inference: targetPort 8081 is not a container port of inference',
    ]);
    kind(objs, 'Service').spec.selector = { app: 'other' };
    expect(serviceViolations(objs as KubeObject[])).toEqual(['Service/inference: selects no pods']);
  });

  it('autoscaler: a missing target, a target that sets replicas', () => {
    const objs = objects();
    kind(objs, 'Deployment').spec.replicas = 2;
    expect(autoscalerViolations(objs as KubeObject[])).toEqual([
      'HorizontalPodAutoscaler/inference: target sets replicas',
    ]);
    kind(objs, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'other';
    expect(autoscalerViolations(objs as KubeObject[])).toEqual([
      'HorizontalPodAutoscaler/inference: target Deployment/other not found',
    ]);
  });

  it('autoscaler: a ContainerResource metric on a missing container, utilization without a request', () => {
    const objs = objects();
    const metric = kind(objs, 'HorizontalPodAutoscaler').spec.metrics[0];
    metric.containerResource.container = 'sidecar';
    expect(autoscalerViolations(objs as KubeObject[])).toEqual([
      'HorizontalPodAutoscaler/inference: ContainerResource metric names no container sidecar',
    ]);
    metric.containerResource.container = 'inference';
    delete container(objs, 'inference').resources.requests.cpu;
    expect(autoscalerViolations(objs as KubeObject[])).toEqual([
      'HorizontalPodAutoscaler/inference: cpu utilization of inference, which requests no cpu',
    ]);
  });

  it('selectors: a PDB or NetworkPolicy that selects no pod', () => {
    const objs = objects();
    kind(objs, 'PodDisruptionBudget').spec.selector.matchLabels = { app: 'other' };
    kind(objs, 'NetworkPolicy').spec.podSelector.matchLabels = {};
    expect(selectorViolations(objs as KubeObject[])).toEqual([
      'PodDisruptionBudget/inference: selects no pods',
      'NetworkPolicy/inference: selects no pods',
    ]);
  });

  it('volumes: a writable bucket or ConfigMap mount, a CSI volume that is not read-only', () => {
    const objs = objects({ gcs: true });
    expect(volumeViolations(objs as KubeObject[])).toEqual([]);
    const pod = kind(objs, 'Deployment').spec.template.spec;
    pod.volumes.find((v: Manifest) => v.name === 'model').csi.readOnly = false;
    container(objs, 'inference').volumeMounts.find((m: Manifest) => m.name === 'model').readOnly =
      false;
    delete container(objs, 'nginx').volumeMounts.find((m: Manifest) => m.name === 'nginx-conf')
      .readOnly;
    expect(volumeViolations(objs as KubeObject[])).toEqual([
      'inference: CSI volume model is not readOnly',
      'inference/nginx: nginx-conf mounted writable at /etc/nginx/modelship',
      'inference/inference: model mounted writable at /models',
    ]);
  });
});
