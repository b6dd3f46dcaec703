import type { k8s } from 'cdk8s-plus-27';
import { assertCidr, assertInt, fail, withDefaults } from './validate.ts';

/** The model baked into the image (MODEL_DIR as `inference.modelDir` says, or the image's default). */
export interface ImageModelSource {
  readonly source: 'image';
}

/**
 * Resource limits of the Cloud Storage FUSE sidecar (`gke-gcsfuse-sidecar`), which the driver
 * injects into the pod. Kubernetes quantities; `'0'` lifts a limit (GKE Standard only).
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-sidecar
 */
export interface GcsFuseSidecarResources {
  /** `gke-gcsfuse/cpu-limit`. @default '250m' */
  readonly cpuLimit?: string;
  /** `gke-gcsfuse/memory-limit`. @default '256Mi' */
  readonly memoryLimit?: string;
  /** `gke-gcsfuse/ephemeral-storage-limit` (no file cache: the sidecar's logs only). @default '1Gi' */
  readonly ephemeralStorageLimit?: string;
}

/**
 * A versioned model source in Cloud Storage: `gs://BUCKET/PREFIX/` holds version folders (each a
 * complete model directory) and a `current` object naming the one to serve. The GKE Cloud
 * Storage FUSE CSI driver mounts that prefix read-only and MODEL_DIR points at the mount, so the
 * service's hot reload follows `current`.
 *
 * Identity: the driver authenticates as the pod's Kubernetes ServiceAccount through Workload
 * Identity Federation. The kubelet hands the driver a token for that account (the driver's
 * CSIDriver object asks for one, `tokenRequests` with the `PROJECT_ID.svc.id.goog` audience),
 * so the pod keeps `automountServiceAccountToken: false`; grant the account
 * `roles/storage.objectViewer` on the bucket as the `principal://` member (docs/model-versions.md).
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-ephemeral
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-setup
 * @see https://cloud.google.com/kubernetes-engine/docs/reference/cloud-storage-fuse-csi-driver/volume-attr
 * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#csi-ephemeral-volumes
 */
export interface GcsModelSource {
  readonly source: 'gcs';
  /** The bucket's name (no `gs://`). */
  readonly bucket: string;
  /** The folder inside the bucket that holds the versions and `current`, e.g. `models/insurance`. */
  readonly prefix: string;
  /** Where the inference container sees the prefix (MODEL_DIR). @default '/models' */
  readonly mountPath?: string;
  /**
   * How long the FUSE driver caches an object's metadata (`metadata-cache:ttl-secs`): a new
   * `current` is seen at most this long (plus `inference.modelPollIntervalSeconds`) after it
   * is written.
   * @default 10
   */
  readonly metadataCacheTtlSeconds?: number;
  /** The sidecar's resource limits (pod annotations). @default GCS_SIDECAR_DEFAULTS */
  readonly sidecar?: GcsFuseSidecarResources;
  /**
   * Destinations the NetworkPolicy opens for HTTPS (the sidecar reaches storage.googleapis.com
   * and sts.googleapis.com); a NetworkPolicy cannot name hosts. `undefined`: any address on port
   * 443; `['199.36.153.8/30']`: private.googleapis.com only (with Private Google Access and its
   * DNS zone).
   * @default undefined (any address, port 443 only)
   */
  readonly googleApisCidrs?: readonly string[];
}

/** Where the served model comes from. */
export type ModelSourceOptions = ImageModelSource | GcsModelSource;

/** The CSI driver's name. @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-ephemeral */
export const GCS_FUSE_DRIVER = 'gcsfuse.csi.storage.gke.io';
/** The pod annotation on which the driver injects its sidecar. */
export const GCS_FUSE_VOLUMES_ANNOTATION = 'gke-gcsfuse/volumes';
/** The pod volume (and mount) name of the bucket. */
export const MODEL_VOLUME = 'model';

/**
 * Sidecar limits for a tabular model of a few MB read once per version: no file cache (the
 * service reads each file once into memory), so memory and disk stay small; Autopilot uses
 * them as the sidecar's requests too.
 */
export const GCS_SIDECAR_DEFAULTS = {
  cpuLimit: '250m',
  memoryLimit: '256Mi',
  ephemeralStorageLimit: '1Gi',
} as const satisfies Required<GcsFuseSidecarResources>;

/** The defaults of {@link GcsModelSource}. */
export const GCS_SOURCE_DEFAULTS = {
  mountPath: '/models',
  metadataCacheTtlSeconds: 10,
} as const satisfies Required<Pick<GcsModelSource, 'mountPath' | 'metadataCacheTtlSeconds'>>;

/** {@link ModelSourceOptions} with defaults applied. */
export type ResolvedModelSource =
  | ImageModelSource
  | (Required<Omit<GcsModelSource, 'googleApisCidrs' | 'sidecar'>> &
      Pick<GcsModelSource, 'googleApisCidrs'> & {
        readonly sidecar: Required<GcsFuseSidecarResources>;
      });

/** Cloud Storage's bucket naming rule, as every refusal states it. */
const BUCKET_NAME_RULE =
  "a bucket name has 3 to 63 characters, or up to 222 with dots and at most 63 between two dots, of lowercase letters, digits, '-', '_' and '.'";

/**
 * Asserts Cloud Storage's bucket naming rules: 3-63 characters (up to 222 with dots, each
 * dot-separated part at most 63) of lowercase letters, digits, `-`, `_` and `.`, starting and
 * ending with a letter or digit; not an IP address; no `goog` prefix and no `google`.
 * @see https://cloud.google.com/storage/docs/buckets#naming
 */
export function assertBucketName(name: string, value: string): void {
  const rule = (why: string) =>
    fail(name, value, `is not a Cloud Storage bucket name: ${why} (${BUCKET_NAME_RULE})`);
  if (value.startsWith('gs://')) rule("give the name without 'gs://'");
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(value)) {
    rule("lowercase letters, digits, '-', '_' and '.', starting and ending alphanumeric");
  }
  const max = value.includes('.') ? 222 : 63;
  if (value.length < 3 || value.length > max) rule(`3 to ${max} characters`);
  if (value.split('.').some((part) => part.length === 0 || part.length > 63)) {
    rule('each dot-separated part 1 to 63 characters');
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) rule('not an IP address');
  if (value.startsWith('goog') || /g(o|0)(o|0)gle/.test(value)) {
    rule("no 'goog' prefix and no 'google'");
  }
}

/**
 * Asserts an object prefix the FUSE driver can take as `only-dir`: `/`-separated folders of
 * letters, digits and `._-` (no `.` or `..` folder, no leading or trailing `/`; a comma would
 * split the mount options).
 */
export function assertObjectPrefix(name: string, value: string): void {
  const parts = value.split('/');
  if (
    value.length === 0 ||
    value.length > 512 ||
    parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p) || p === '.' || p === '..')
  ) {
    fail(
      name,
      value,
      "must be folders of letters, digits and '._-' joined by '/' (no leading or trailing '/', no '.' or '..')",
    );
  }
}

const QUANTITY = /^(0|[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?)$/;

/** Applies the defaults of {@link ModelSourceOptions} and validates them. */
export function resolveModelSource(
  options: ModelSourceOptions = { source: 'image' },
): ResolvedModelSource {
  if (options.source === 'image') return { source: 'image' };
  if (options.source !== 'gcs') {
    fail('modelSource.source', (options as { source: unknown }).source, "must be 'image' or 'gcs'");
  }
  const { sidecar, ...own } = options;
  const gcs: Extract<ResolvedModelSource, { source: 'gcs' }> = {
    ...withDefaults<
      Required<Pick<GcsModelSource, 'mountPath' | 'metadataCacheTtlSeconds'>>,
      typeof own
    >(GCS_SOURCE_DEFAULTS, own),
    sidecar: withDefaults(GCS_SIDECAR_DEFAULTS, sidecar ?? {}),
  };
  assertBucketName('modelSource.bucket', gcs.bucket);
  assertObjectPrefix('modelSource.prefix', gcs.prefix);
  if (
    !/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(gcs.mountPath) ||
    gcs.mountPath === '/tmp' ||
    gcs.mountPath.startsWith('/tmp/')
  ) {
    fail('modelSource.mountPath', gcs.mountPath, 'must be an absolute path outside /tmp');
  }
  assertInt('modelSource.metadataCacheTtlSeconds', gcs.metadataCacheTtlSeconds, 0, 3600);
  for (const [key, value] of Object.entries(gcs.sidecar)) {
    if (!QUANTITY.test(value)) fail(`modelSource.sidecar.${key}`, value, 'must be a quantity');
  }
  gcs.googleApisCidrs?.forEach((cidr, index) => {
    assertCidr(`modelSource.googleApisCidrs[${index}]`, cidr);
  });
  return gcs;
}

/**
 * `mountOptions` of the CSI volume: the prefix only, folders without placeholder objects, the
 * TTL, and the files owned by the container's non-root user, as the driver asks for a
 * container that does not run as root.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-storage-fuse-csi-driver-perf
 */
function gcsMountOptions(
  source: Extract<ResolvedModelSource, { source: 'gcs' }>,
  owner: number,
): string {
  return [
    `only-dir=${source.prefix}`,
    // `gcloud storage cp -r` writes no folder objects: version folders exist only implicitly.
    'implicit-dirs',
    `metadata-cache:ttl-secs:${source.metadataCacheTtlSeconds}`,
    `uid=${owner}`,
    `gid=${owner}`,
  ].join(',');
}

/** The pod annotations the driver reads: inject the sidecar, with these limits. */
export function modelSourcePodAnnotations(source: ResolvedModelSource): Record<string, string> {
  if (source.source === 'image') return {};
  return {
    [GCS_FUSE_VOLUMES_ANNOTATION]: 'true',
    'gke-gcsfuse/cpu-limit': source.sidecar.cpuLimit,
    'gke-gcsfuse/memory-limit': source.sidecar.memoryLimit,
    'gke-gcsfuse/ephemeral-storage-limit': source.sidecar.ephemeralStorageLimit,
  };
}

/** The CSI ephemeral volume of the bucket, its files owned by `owner` (none for the image). */
export function modelSourceVolumes(source: ResolvedModelSource, owner: number): k8s.Volume[] {
  if (source.source === 'image') return [];
  return [
    {
      name: MODEL_VOLUME,
      csi: {
        driver: GCS_FUSE_DRIVER,
        readOnly: true,
        volumeAttributes: {
          bucketName: source.bucket,
          mountOptions: gcsMountOptions(source, owner),
        },
      },
    },
  ];
}

/** The inference container's read-only mount of the bucket (none for the image). */
export function modelSourceMounts(source: ResolvedModelSource): k8s.VolumeMount[] {
  if (source.source === 'image') return [];
  return [{ name: MODEL_VOLUME, mountPath: source.mountPath, readOnly: true }];
}
