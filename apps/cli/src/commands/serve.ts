import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../args.ts';
import { failure, usageError } from '../errors.ts';
import { inferenceCheckout } from '../inference-checkout.ts';
import { resolvePath } from '../io.ts';

/**
 * How to start the service: the installed command's bundle of it (dist/service/server.mjs,
 * beside dist/modelship.mjs; scripts/build.mjs writes it from apps/inference's entry), else, in
 * this repository, where the command runs from source, the service's source through tsx.
 */
function serviceArgs(): string[] {
  const bundle = fileURLToPath(new URL('./service/server.mjs', import.meta.url));
  if (existsSync(bundle)) return [bundle];
  return ['--import', 'tsx', join(inferenceCheckout('serve'), 'src', 'index.ts')];
}

/**
 * `modelship serve`: runs the service as a child process until it exits. A process of its own,
 * as in the image (`node server.js`): the service owns its signals, exits and stdout.
 */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve the directory with the inference service',
  args: ['DIR'],
  flags: {
    port: {
      type: 'integer',
      value: 'N',
      min: 0,
      max: 65535,
      must: 'a port number',
      help: 'the port (default: PORT from the environment, else 8080)',
    },
    'ops-port': {
      type: 'integer',
      value: 'N',
      min: 0,
      max: 65535,
      must: 'a port number',
      help: 'serve /metrics, /monitoring and POST /admin/reload on this port, on 127.0.0.1 unless OPS_HOST says otherwise (default: OPS_PORT from the environment, else not served)',
    },
    'api-keys': {
      type: 'string',
      value: 'FILE',
      help: 'require API keys on the prediction routes: the key file of `modelship apikey create` lines (API_KEYS_FILE; re-read when it changes)',
    },
  },
  description: `Serves a model directory with the inference service, the code the image runs
(its other settings come from the environment: PORT, HOST, MAX_BATCH, LOG_LEVEL, ...).
The operational routes (metrics, the drift page, reloads) are never served on the port:
only on --ops-port, when given. Stops on Ctrl-C or SIGTERM with the service's graceful shutdown.`,
  examples: [
    'modelship serve models/churn --port 8080',
    'modelship serve models/churn --port 8080 --ops-port 9090',
    'modelship serve models/churn --api-keys keys',
  ],
  async run(
    { positionals: [dirArg], values: { port, 'ops-port': opsPort, 'api-keys': keysArg } },
    io,
  ) {
    const serving = port ?? Number(process.env.PORT ?? 8080);
    if (opsPort !== undefined && opsPort !== 0 && opsPort === serving) {
      throw usageError(`--ops-port (${opsPort}) must differ from the serving port (${serving})`);
    }
    const dir = resolvePath(io, dirArg);
    if (!existsSync(dir)) throw failure(`${dir} does not exist`);
    const keys = keysArg === undefined ? undefined : resolvePath(io, keysArg);
    if (keys !== undefined && !existsSync(keys)) {
      throw failure(
        `--api-keys ${keys} does not exist (create lines with modelship apikey create NAME)`,
      );
    }
    const child = spawn(process.execPath, serviceArgs(), {
      env: {
        ...process.env,
        MODEL_DIR: dir,
        ...(port === undefined ? {} : { PORT: String(port) }),
        ...(opsPort === undefined ? {} : { OPS_PORT: String(opsPort) }),
        ...(keys === undefined ? {} : { API_KEYS_FILE: keys }),
      },
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  },
});
