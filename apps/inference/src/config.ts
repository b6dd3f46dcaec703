import { fileURLToPath } from 'node:url';
import { checkServiceEnv, type ServiceEnv } from '@modelship/contract';

/** The default model directory: the bundled model, copied beside the built server. */
const bundledModelDir = fileURLToPath(new URL('./model/', import.meta.url));

/**
 * Validated service configuration: the environment contract of `@modelship/contract`, with the
 * service's own default for `MODEL_DIR`.
 */
export type Config = Omit<ServiceEnv, 'MODEL_DIR'> & { readonly MODEL_DIR: string };

/** Thrown when an environment variable has an invalid value; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the service configuration from an environment (default `process.env`).
 * This is the only place that reads the environment. Empty strings count as unset.
 *
 * @throws {ConfigError} naming every variable with a bad value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = checkServiceEnv(env);
  if (!result.ok) {
    const problems = result.issues.map(
      (issue) => `${issue.name}=${JSON.stringify(issue.value)}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...result.env, MODEL_DIR: result.env.MODEL_DIR ?? bundledModelDir };
}
