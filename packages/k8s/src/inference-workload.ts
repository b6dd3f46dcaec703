import { createHash } from 'node:crypto';
import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  commonLabels,
  modelAnnotations,
  NGINX_CONF_CHECKSUM_ANNOTATION,
  selectorLabels,
} from './metadata.ts';
import { renderNginxConf } from './nginx-conf.ts';
import { objectNames, podSpec } from './pod-template.ts';
import { rulesResource } from './workload-alerts.ts';
import { modelSourcePodAnnotations } from './workload-model-source.ts';
import { podMonitoring } from './workload-monitoring.ts';
import { gkeIngress, networkPolicy, service } from './workload-networking.ts';
import type { InferenceWorkloadProps } from './workload-props.ts';
import { horizontalPodAutoscaler, podDisruptionBudget } from './workload-scaling.ts';
import { resolveWorkloadSettings, type WorkloadSettings } from './workload-settings.ts';

/**
 * The nginx-fronted inference workload: a Deployment whose pods run nginx (port 8080, the only
 * entry) in front of the inference service on 127.0.0.1, with its nginx ConfigMap, a
 * LoadBalancer Service, an autoscaling/v2 HPA, a PodDisruptionBudget, a NetworkPolicy, a
 * ServiceAccount without a token and, optionally, a GKE Ingress with a BackendConfig and a
 * PodMonitoring for GKE's managed Prometheus. Metrics are served on nginx's metrics port
 * (9090, reachable from the scrapers' namespaces only), never on the public port.
 *
 * Termination drops no request: on SIGTERM the service turns unready at once, serves for
 * SHUTDOWN_DELAY while load balancers stop routing to the pod, then drains within
 * SHUTDOWN_TIMEOUT; nginx's preStop sleeps SHUTDOWN_DELAY + 5 s so nginx outlives that drain,
 * and the grace period covers both. The constructor checks that these numbers agree.
 *
 * @example
 * new InferenceWorkload(chart, 'insurance', {
 *   image: 'europe-west1-docker.pkg.dev/my-project/models/inference:1.0.0',
 *   name: 'insurance',
 *   model: { name: 'insurance-charges', version: '1.0.0' },
 *   autoscaling: { minReplicas: 2, maxReplicas: 20 },
 * });
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
 */
export class InferenceWorkload extends Construct {
  /** Every prop with its default applied. */
  public readonly settings: WorkloadSettings;
  /** The nginx.conf shipped in the ConfigMap. */
  public readonly nginxConf: string;
  /** sha256 (hex) of {@link nginxConf}, set as a pod annotation so a change rolls the pods. */
  public readonly nginxConfChecksum: string;
  /** The ConfigMap holding nginx.conf (`<name>-nginx`). */
  public readonly configMap: k8s.KubeConfigMap;
  /** The pods' ServiceAccount (no token mounted). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The Deployment of nginx + inference pods. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service in front of nginx's port. */
  public readonly service: k8s.KubeService;
  /** The autoscaling/v2 HPA on CPU. */
  public readonly horizontalPodAutoscaler: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget. */
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy (ingress to nginx: 8080 from anywhere, the metrics port from the scrapers; no egress, or DNS). */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** The GKE Ingress, when `ingress.enabled`. */
  public readonly ingress?: k8s.KubeIngress;
  /** The BackendConfig (a GKE custom resource), when `ingress.enabled`. */
  public readonly backendConfig?: ApiObject;
  /** The PodMonitoring (a GKE custom resource), when `metrics.podMonitoring`. */
  public readonly podMonitoring?: ApiObject;
  /** The alerting `Rules` (a GKE custom resource), when `metrics.alertRules.enabled`. */
  public readonly alertRules?: ApiObject;

  constructor(scope: Construct, id: string, props: InferenceWorkloadProps) {
    super(scope, id);
    const s = resolveWorkloadSettings(props);
    this.settings = s;
    this.nginxConf = renderNginxConf(s.nginx);
    this.nginxConfChecksum = createHash('sha256').update(this.nginxConf).digest('hex');
    const labels = commonLabels(s);
    const names = objectNames(s.name);

    this.configMap = new k8s.KubeConfigMap(this, 'nginx-conf', {
      metadata: { name: names.configMap, namespace: s.namespace, labels },
      data: { 'nginx.conf': this.nginxConf },
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: {
        name: s.name,
        namespace: s.namespace,
        labels,
        annotations: { ...s.serviceAccountAnnotations },
      },
      automountServiceAccountToken: false,
    });

    const annotations = modelAnnotations(s);
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: s.name, namespace: s.namespace, labels, annotations },
      spec: {
        // No `replicas`: the HPA owns the count (re-applying would otherwise reset it).
        selector: { matchLabels: selectorLabels(s) },
        revisionHistoryLimit: 5,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge:
              typeof s.rollout.maxSurge === 'number'
                ? k8s.IntOrString.fromNumber(s.rollout.maxSurge)
                : k8s.IntOrString.fromString(s.rollout.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: {
            labels,
            annotations: {
              ...annotations,
              [NGINX_CONF_CHECKSUM_ANNOTATION]: this.nginxConfChecksum,
              'kubectl.kubernetes.io/default-container': 'inference',
              ...modelSourcePodAnnotations(s.modelSource),
            },
          },
          spec: podSpec(s, s.name),
        },
      },
    });

    this.service = service(this, s);
    this.horizontalPodAutoscaler = horizontalPodAutoscaler(this, s, s.name);
    this.podDisruptionBudget = podDisruptionBudget(this, s);
    this.networkPolicy = networkPolicy(this, s);
    if (s.ingress.enabled) {
      const { ingress, backendConfig } = gkeIngress(this, s);
      this.ingress = ingress;
      this.backendConfig = backendConfig;
    }
    if (s.metrics.podMonitoring) this.podMonitoring = podMonitoring(this, s);
    if (s.metrics.alertRules.enabled) this.alertRules = rulesResource(this, s);
  }
}
