/** The environments this app can synthesize; each becomes `dist/<name>.k8s.yaml`. */
export const ENVIRONMENT_NAMES = ['gke', 'local'] as const;

/** One environment's name. */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
