import { GOOGLE_CLOUD_PROJECT_ID } from '@modelship/contract';
import {
  assertBucketName,
  assertObjectPrefix,
  DNS_SUBDOMAIN,
  type GatewayIapOptions,
  type GcsModelSource,
} from '@modelship/k8s';
import { ENVIRONMENT_NAMES, type EnvironmentName } from './environment-names.ts';

/**
 * An Artifact Registry image: `REGION-docker.pkg.dev/PROJECT/REPO/IMAGE` with a tag or digest.
 * @see https://cloud.google.com/artifact-registry/docs/docker/names
 */
export const ARTIFACT_REGISTRY_IMAGE =
  /^[a-z0-9-]+-docker\.pkg\.dev\/[a-z0-9.:-]+\/[a-z0-9._-]+\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** The app's settings from the environment. */
export interface AppConfig {
  /** Environments to synthesize (`CHART`, comma-separated). Default `gke`. */
  readonly charts: readonly EnvironmentName[];
  /** Image override (`IMAGE`). Default: each environment's own. */
  readonly image: string | undefined;
  /**
   * Google Cloud project for log-to-trace links (`GOOGLE_CLOUD_PROJECT`). Default: for an
   * Artifact Registry image, the project in its path.
   */
  readonly googleCloudProject: string | undefined;
  /**
   * Namespace of every object (`NAMESPACE`). Default: none, so `kubectl apply` uses the
   * current context's namespace.
   */
  readonly namespace: string | undefined;
  /**
   * The model from a Cloud Storage bucket instead of the image (`MODEL_SOURCE`,
   * `gs://BUCKET/PREFIX`: the versioned source the workload mounts read-only). Default: the image.
   */
  readonly modelSource: GcsModelSource | undefined;
  /**
   * The nginx image (`NGINX_IMAGE`), e.g. its copy in an Artifact Registry remote repository
   * of Docker Hub, pinned by digest (docs/gke.md's runbook). Default: the construct's own.
   */
  readonly nginxImage?: string | undefined;
  /**
   * The Secret of hashed API keys (`API_KEYS_SECRET`, data key `keys`): the workload mounts it
   * and the service then requires a key. Default: none (no keys).
   */
  readonly apiKeysSecret?: string | undefined;
  /**
   * Identity-Aware Proxy on the Gateway in front of a candidate (`modelship synth --iap-*`): the
   * OAuth client's id and the Secret holding its secret under `key`. No environment has it on
   * its own path (the passthrough load balancer has no IAP), so no variable sets it.
   * Default: none.
   */
  readonly iap?: GatewayIapOptions | undefined;
}

/** A Secret's name: a DNS-1123 subdomain, the rule @modelship/k8s checks Secret names by. */
export const SECRET_NAME = DNS_SUBDOMAIN;

/** What {@link SECRET_NAME} asks for, for error messages. */
export const SECRET_NAME_RULE =
  "must be a Secret name: a DNS subdomain of at most 253 lowercase letters, digits, '-' and '.', starting and ending alphanumeric";

/** Parses `MODEL_SOURCE` (`gs://BUCKET/PREFIX`) with the workload's bucket and prefix rules. */
export function parseModelSource(value: string): GcsModelSource {
  const match = /^gs:\/\/([^/]+)\/(.+?)\/?$/.exec(value);
  const fail = (why: string) => new ConfigError(`MODEL_SOURCE=${JSON.stringify(value)}: ${why}`);
  if (!match) throw fail('must be gs://BUCKET/PREFIX (a folder inside the bucket)');
  const [, bucket = '', prefix = ''] = match;
  try {
    assertBucketName('bucket', bucket);
    assertObjectPrefix('prefix', prefix);
  } catch (error) {
    throw fail((error as Error).message);
  }
  return { source: 'gcs', bucket, prefix };
}

/**
 * A namespace name (DNS-1123 label).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The project in an Artifact Registry image reference (`REGION-docker.pkg.dev/PROJECT/...`),
 * when it is a valid project id.
 */
export function artifactRegistryProject(image: string): string | undefined {
  if (!ARTIFACT_REGISTRY_IMAGE.test(image)) return undefined;
  const project = image.split('/')[1] ?? '';
  return GOOGLE_CLOUD_PROJECT_ID.test(project) ? project : undefined;
}

/** Thrown for an invalid environment variable; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the app's settings: `CHART` (which environments; one at a time by default, so that
 * `kubectl apply -f dist/` applies exactly one), `IMAGE`, `GOOGLE_CLOUD_PROJECT`,
 * `NAMESPACE`, `MODEL_SOURCE`, `NGINX_IMAGE` and `API_KEYS_SECRET`. The only reader of the environment.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const charts = (env.CHART ?? 'gke')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of charts) {
    if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(
        `CHART=${JSON.stringify(env.CHART)}: '${name}' is not one of ${ENVIRONMENT_NAMES.join(', ')}`,
      );
    }
  }
  if (charts.length === 0) {
    throw new ConfigError(`CHART=${JSON.stringify(env.CHART)}: names no environment`);
  }
  const image = env.IMAGE?.trim() || undefined;
  const googleCloudProject = env.GOOGLE_CLOUD_PROJECT?.trim() || undefined;
  const namespace = env.NAMESPACE?.trim() || undefined;
  const modelSourceUrl = env.MODEL_SOURCE?.trim() || undefined;
  const nginxImage = env.NGINX_IMAGE?.trim() || undefined;
  const apiKeysSecret = env.API_KEYS_SECRET?.trim() || undefined;
  if (apiKeysSecret !== undefined && !SECRET_NAME.test(apiKeysSecret)) {
    throw new ConfigError(
      `API_KEYS_SECRET=${JSON.stringify(env.API_KEYS_SECRET)}: ${SECRET_NAME_RULE}`,
    );
  }
  if (namespace !== undefined && !NAMESPACE_NAME.test(namespace)) {
    throw new ConfigError(
      `NAMESPACE=${JSON.stringify(env.NAMESPACE)}: must be a namespace name (at most 63 lowercase letters, digits or '-', starting and ending alphanumeric)`,
    );
  }
  return {
    charts: [...new Set(charts)] as EnvironmentName[],
    image,
    googleCloudProject,
    namespace,
    modelSource: modelSourceUrl === undefined ? undefined : parseModelSource(modelSourceUrl),
    nginxImage,
    apiKeysSecret,
  };
}
