import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The default model directory: the bundled model, copied beside the built server. */
const bundledModelDir = fileURLToPath(new URL('./model/', import.meta.url));

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MODEL_DIR: z.string().min(1).default(bundledModelDir),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Validated service configuration. */
export type Config = z.infer<typeof schema>;

/** Thrown when an environment variable has an invalid value; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the service configuration from an environment (default `process.env`).
 * This is the only place that reads the environment.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) =>
        `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
