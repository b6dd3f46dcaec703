import {
  ENVIRONMENTS,
  type EnvironmentName,
  SECRET_NAME,
  SECRET_NAME_RULE,
} from '@modelship/charts';
import { type GatewayIapOptions, OAUTH_CLIENT_ID } from '@modelship/k8s';
import type { Flags, FlagValue } from '../args.ts';
import { usageError } from '../errors.ts';

/** `modelship synth`'s flags for who may call the workloads: API keys, or Identity-Aware Proxy. */
export const accessFlags = {
  'api-keys-secret': {
    type: 'string',
    value: 'NAME',
    help: "require an API key on the prediction routes, the form and the docs (stable and candidate alike), checked against the Secret NAME of hashed keys (its data key 'keys': the lines modelship apikey create prints): kubectl create secret generic NAME --from-file=keys=FILE",
  },
  'iap-secret': {
    type: 'string',
    value: 'NAME',
    needs: 'iap-client-id',
    help: "Identity-Aware Proxy on the Gateway of --candidate (people sign in with Google; needs HTTPS, --env gke): the Secret NAME holding the OAuth client's secret under 'key': kubectl create secret generic NAME --from-file=key=FILE",
  },
  'iap-client-id': {
    type: 'string',
    value: 'ID',
    needs: 'iap-secret',
    help: "the OAuth client's id for --iap-secret (NUMBER-ID.apps.googleusercontent.com)",
  },
} as const satisfies Flags;

type AccessValues = {
  readonly [K in keyof typeof accessFlags]: FlagValue<(typeof accessFlags)[K]>;
};

/** What the access flags set in the charts' config: each checked, errors naming the flag. */
export function accessConfig(
  values: AccessValues & { readonly env: EnvironmentName; readonly candidate: string | undefined },
): { apiKeysSecret: string | undefined; iap: GatewayIapOptions | undefined } {
  const apiKeysSecret = values['api-keys-secret'];
  if (apiKeysSecret !== undefined && !SECRET_NAME.test(apiKeysSecret)) {
    throw usageError(`--api-keys-secret ${JSON.stringify(apiKeysSecret)}: ${SECRET_NAME_RULE}`);
  }
  const secret = values['iap-secret'];
  const clientId = values['iap-client-id'];
  // `needs` makes each of the two require the other.
  if (secret === undefined || clientId === undefined) return { apiKeysSecret, iap: undefined };
  if (!SECRET_NAME.test(secret)) {
    throw usageError(`--iap-secret ${JSON.stringify(secret)}: ${SECRET_NAME_RULE}`);
  }
  if (!OAUTH_CLIENT_ID.test(clientId)) {
    throw usageError(
      `--iap-client-id ${JSON.stringify(clientId)}: must be an OAuth client id, NUMBER-ID.apps.googleusercontent.com (APIs & Services > Credentials)`,
    );
  }
  if (values.candidate === undefined) {
    throw usageError(
      `--iap-secret: --env ${values.env} serves through its own Service (for gke a passthrough load balancer), which has no Identity-Aware Proxy: IAP lives on Google's Application Load Balancer, here the Gateway that --candidate DIR2 puts in front; without a candidate, protect the API with --api-keys-secret`,
    );
  }
  if (!ENVIRONMENTS[values.env].https) {
    throw usageError(
      `--iap-secret: --env ${values.env} serves plain HTTP, and IAP needs HTTPS: use --env gke`,
    );
  }
  if (apiKeysSecret !== undefined) {
    throw usageError(
      '--iap-secret and --api-keys-secret are alternatives: IAP signs people in, keys are for programs (a person behind IAP has no key)',
    );
  }
  return { apiKeysSecret, iap: { oauthClientId: clientId, oauthClientSecretName: secret } };
}

/** The steps to take before `kubectl apply`, for the access flags given (stderr lines). */
export function accessSteps(
  access: ReturnType<typeof accessConfig>,
  namespace: string | undefined,
): string[] {
  const ns = namespace === undefined ? '' : ` -n ${namespace}`;
  const steps: string[] = [];
  if (access.apiKeysSecret !== undefined) {
    steps.push(
      `create the key Secret first (the pods wait for it): for each client, modelship apikey create CLIENT (its first line is the client's key, its second goes into keys.txt), then kubectl create secret generic ${access.apiKeysSecret}${ns} --from-file=keys=keys.txt`,
    );
  }
  if (access.iap !== undefined) {
    steps.push(
      `create the OAuth client's Secret first: kubectl create secret generic ${access.iap.oauthClientSecretName}${ns} --from-file=key=iap-secret.txt; then grant people roles/iap.httpsResourceAccessor (docs/canary.md, Identity-Aware Proxy)`,
    );
  }
  return steps;
}
