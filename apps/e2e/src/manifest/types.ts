// The few fields of Kubernetes objects that the local pod reads. Only what the harness acts on
// is typed; everything else in the manifest is carried along untouched.

/** `metadata` of any object. */
export interface ObjectMeta {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Any Kubernetes object from a synthesized file. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
}

/** `spec.containers[].ports[]`. */
export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  readonly protocol?: string;
}

/** `httpGet` / `tcpSocket` probe handlers; ports are numbers or container port names. */
export interface HttpGetAction {
  readonly path?: string;
  readonly port: number | string;
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly httpHeaders?: readonly { readonly name: string; readonly value: string }[];
}

/** `livenessProbe` / `readinessProbe` / `startupProbe`. */
export interface Probe {
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: { readonly port: number | string };
  readonly exec?: { readonly command: readonly string[] };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  readonly initialDelaySeconds?: number;
}

/** `spec.containers[].env[]` (literal values only; the pod here has no `valueFrom`). */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: unknown;
}

/** `spec.containers[].volumeMounts[]`. */
export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly?: boolean;
}

/** `spec.containers[]`. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly ports?: readonly ContainerPort[];
  readonly volumeMounts?: readonly VolumeMount[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: {
    readonly preStop?: { readonly exec?: { readonly command: readonly string[] } };
  };
}

/** `spec.volumes[]` (the kinds a local pod can provide). */
export interface Volume {
  readonly name: string;
  readonly configMap?: {
    readonly name: string;
    readonly items?: readonly { readonly key: string; readonly path: string }[];
  };
  readonly emptyDir?: Readonly<Record<string, unknown>>;
  /** A Secret (TLS certificate, API keys): its data is not in the manifest (`secrets` of startLocalPod). */
  readonly secret?: {
    readonly secretName: string;
    readonly items?: readonly { readonly key: string; readonly path: string }[];
  };
  /** A CSI ephemeral volume (e.g. a Cloud Storage bucket through GKE's FUSE driver). */
  readonly csi?: {
    readonly driver: string;
    readonly readOnly?: boolean;
    readonly volumeAttributes?: Readonly<Record<string, string>>;
  };
}

/** A pod template's `spec`. */
export interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly terminationGracePeriodSeconds?: number;
}

/** `apps/v1` Deployment. */
export interface Deployment extends KubeObject {
  readonly kind: 'Deployment';
  readonly spec: { readonly template: { readonly spec: PodSpec } };
}

/** `v1` ConfigMap. */
export interface ConfigMap extends KubeObject {
  readonly kind: 'ConfigMap';
  readonly data?: Readonly<Record<string, string>>;
}

/** `v1` Service. */
export interface Service extends KubeObject {
  readonly kind: 'Service';
  readonly spec: {
    readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    /** Set for NodePort and LoadBalancer Services (Kubernetes' default: Cluster). */
    readonly externalTrafficPolicy?: 'Cluster' | 'Local';
    readonly ports: readonly {
      readonly name?: string;
      readonly port: number;
      readonly targetPort?: number | string;
    }[];
  };
}
