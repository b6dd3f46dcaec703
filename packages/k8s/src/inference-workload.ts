import { createHash } from 'node:crypto';
import type { ApiObject } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NGINX_CONF_CHECKSUM_ANNOTATION } from './metadata.ts';
import { renderNginxConf } from './nginx-conf.ts';
import { rulesResource } from './workload-alerts.ts';
import { apiKeysVolumes } from './workload-api-keys.ts';
import { deployment } from './workload-deployment.ts';
import { modelAnnotations, serviceAccount } from './workload-identity.ts';
import { INFERENCE_UID, inferenceContainer, inferenceVolumes } from './workload-inference.ts';
import { CLIENT_IP_HEADER, gkeIngress, ingressServiceAnnotations } from './workload-ingress.ts';
import {
  modelSourceMounts,
  modelSourcePodAnnotations,
  modelSourceVolumes,
} from './workload-model-source.ts';
import { podMonitoring } from './workload-monitoring.ts';
import { networkPolicy } from './workload-network-policy.ts';
import { nginxConfigMap, nginxContainer, nginxVolumes } from './workload-nginx.ts';
import { horizontalPodAutoscaler, podDisruptionBudget } from './workload-scaling.ts';
import { service } from './workload-service.ts';
import {
  type InferenceWorkloadProps,
  resolveWorkloadSettings,
  type WorkloadSettings,
} from './workload-settings.ts';
import { tlsVolumes } from './workload-tls.ts';

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
  /** The ManagedCertificate (a GKE custom resource), when `ingress.tls` is set. */
  public readonly managedCertificate?: ApiObject;
  /** The FrontendConfig (a GKE custom resource: HTTPS redirect, SSL policy), when `ingress.tls` is set. */
  public readonly frontendConfig?: ApiObject;
  /** The PodMonitoring (a GKE custom resource), when `metrics.podMonitoring`. */
  public readonly podMonitoring?: ApiObject;
  /** The alerting `Rules` (a GKE custom resource), when `metrics.alertRules.enabled`. */
  public readonly alertRules?: ApiObject;

  constructor(scope: Construct, id: string, props: InferenceWorkloadProps) {
    super(scope, id);
    const s = resolveWorkloadSettings(props);
    this.settings = s;
    const { meta } = s;
    const nginx = s.nginx.options;
    this.nginxConf = renderNginxConf(nginx);
    this.nginxConfChecksum = createHash('sha256').update(this.nginxConf).digest('hex');

    this.configMap = nginxConfigMap(this, meta, this.nginxConf);
    this.serviceAccount = serviceAccount(this, meta, s.identity);
    this.deployment = deployment(this, meta, s.deployment, {
      annotations: modelAnnotations(s.identity.model),
      podAnnotations: {
        [NGINX_CONF_CHECKSUM_ANNOTATION]: this.nginxConfChecksum,
        'kubectl.kubernetes.io/default-container': 'inference',
        ...modelSourcePodAnnotations(s.modelSource),
      },
      containers: [
        nginxContainer(s.nginx, {
          resources: s.resources.nginx,
          loadBalancerLagSeconds: s.termination.loadBalancerLagSeconds,
        }),
        inferenceContainer(s.image, s.inference, {
          resources: s.resources.inference,
          termination: s.termination,
          nginxPort: nginx.listenPort,
          volumeMounts: modelSourceMounts(s.modelSource),
          apiKeys: s.apiKeys,
        }),
      ],
      volumes: [
        ...nginxVolumes(meta),
        ...tlsVolumes(s.tls),
        ...inferenceVolumes(),
        ...apiKeysVolumes(s.apiKeys),
        ...modelSourceVolumes(s.modelSource, INFERENCE_UID),
      ],
      serviceAccountName: meta.name,
      terminationGracePeriodSeconds: s.termination.gracePeriodSeconds,
      topologySpread: s.topologySpread,
    });

    this.service = service(
      this,
      meta,
      s.service,
      ingressServiceAnnotations(meta, s.ingress),
      s.tls !== false,
    );
    this.horizontalPodAutoscaler = horizontalPodAutoscaler(this, meta, s.autoscaling);
    this.podDisruptionBudget = podDisruptionBudget(this, meta, s.disruption);
    this.networkPolicy = networkPolicy(this, meta, s.egress, {
      public: nginx.tls === undefined ? [nginx.listenPort] : [nginx.listenPort, nginx.tls.port],
      metrics:
        nginx.metricsPort === false
          ? undefined
          : { port: nginx.metricsPort, scraperNamespaces: s.metrics.scraperNamespaces },
    });
    if (s.ingress.enabled) {
      const { ingress, backendConfig, managedCertificate, frontendConfig } = gkeIngress(
        this,
        meta,
        s.ingress,
        {
          servicePort: s.service.port,
          nginxPort: nginx.listenPort,
          servingSeconds: s.termination.serviceDelaySeconds,
          clientIpHeader: nginx.realIp !== false && nginx.realIp.header === CLIENT_IP_HEADER,
        },
      );
      this.ingress = ingress;
      this.backendConfig = backendConfig;
      this.managedCertificate = managedCertificate;
      this.frontendConfig = frontendConfig;
    }
    if (s.metrics.podMonitoring) {
      this.podMonitoring = podMonitoring(this, meta, s.metrics, nginx.metricsPath);
    }
    if (s.metrics.alertRules.enabled) {
      this.alertRules = rulesResource(this, meta, s.metrics.alertRules, s.metrics.scrapeInterval);
    }
  }
}
