import {
  API_KEYS_MOUNT,
  API_KEYS_OPENABLE,
  type ApiKeysOpenable,
  type ServiceEnvValues,
} from '@modelship/contract';
import type { k8s } from 'cdk8s-plus-27';
import { assertInt, fail } from './validate.ts';
import { assertDnsSubdomain } from './workload-tls.ts';

/**
 * API keys for the service: a Secret of hashed keys (one line per client, as
 * `modelship apikey create` prints them) under the data key `keys`, mounted read-only as a
 * directory (no subPath), so that kubelet swaps in a changed Secret and the service picks it
 * up within its poll interval: rotation needs no restart.
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
 */
export interface ApiKeysOptions {
  /** The Secret in the workload's namespace (`kubectl create secret generic NAME --from-file=keys=FILE`). */
  readonly secretName: string;
  /** Routes left open without a key (`API_KEYS_OPEN`): `form`, `docs`. @default [] (none) */
  readonly open?: readonly ApiKeysOpenable[];
  /**
   * Requests per second per client whose line sets no `rate=` (`API_KEYS_RATE`), per pod.
   * @default undefined (the service's: unlimited)
   */
  readonly requestsPerSecond?: number;
  /** Burst per client whose line sets no `burst=` (`API_KEYS_BURST`). @default undefined (the service's) */
  readonly burst?: number;
}

/** {@link ApiKeysOptions} validated, or `false` (no keys). */
export type ResolvedApiKeys = ApiKeysOptions | false;

/** Validates the `apiKeys` prop. */
export function resolveApiKeys(options: ApiKeysOptions | false | undefined): ResolvedApiKeys {
  if (options === undefined || options === false) return false;
  assertDnsSubdomain('apiKeys.secretName', options.secretName);
  options.open?.forEach((route, index) => {
    if (!API_KEYS_OPENABLE.includes(route)) {
      fail(`apiKeys.open[${index}]`, route, `must be one of ${API_KEYS_OPENABLE.join(', ')}`);
    }
  });
  if (options.burst !== undefined) assertInt('apiKeys.burst', options.burst, 1, 1_000_000);
  const rate = options.requestsPerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0 && rate <= 1_000_000)) {
    fail('apiKeys.requestsPerSecond', rate, 'must be a number from 0 to 1000000');
  }
  return options;
}

/** The service's API key variables for the mounted Secret (all unset without keys). */
export function apiKeysEnv(
  keys: ResolvedApiKeys,
): Pick<ServiceEnvValues, 'API_KEYS_FILE' | 'API_KEYS_OPEN' | 'API_KEYS_RATE' | 'API_KEYS_BURST'> {
  if (keys === false) {
    return {
      API_KEYS_FILE: undefined,
      API_KEYS_OPEN: undefined,
      API_KEYS_RATE: undefined,
      API_KEYS_BURST: undefined,
    };
  }
  return {
    API_KEYS_FILE: API_KEYS_MOUNT.file,
    API_KEYS_OPEN: keys.open?.length ? keys.open.join(',') : undefined,
    API_KEYS_RATE:
      keys.requestsPerSecond === undefined ? undefined : String(keys.requestsPerSecond),
    API_KEYS_BURST: keys.burst === undefined ? undefined : String(keys.burst),
  };
}

const VOLUME = 'api-keys';

/** The Secret volume (only its `keys` entry). */
export function apiKeysVolumes(keys: ResolvedApiKeys): k8s.Volume[] {
  if (keys === false) return [];
  return [
    {
      name: VOLUME,
      secret: {
        secretName: keys.secretName,
        items: [{ key: API_KEYS_MOUNT.key, path: API_KEYS_MOUNT.key }],
      },
    },
  ];
}

/** The inference container's read-only mount of the key Secret. */
export function apiKeysMounts(keys: ResolvedApiKeys): k8s.VolumeMount[] {
  if (keys === false) return [];
  return [{ name: VOLUME, mountPath: API_KEYS_MOUNT.directory, readOnly: true }];
}
