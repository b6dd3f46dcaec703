import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../args.ts';
import { failure } from '../errors.ts';
import { inferenceCheckout } from '../inference-checkout.ts';
import { resolvePath } from '../io.ts';

/** `modelship serve`: runs the service as a child process until it exits. */
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
  },
  description: `Serves a model directory with the inference service, as \`MODEL_DIR=DIR pnpm start\` does
(the service's other settings come from the environment, see apps/inference/README.md).
Stops on Ctrl-C or SIGTERM with the service's graceful shutdown.`,
  examples: ['modelship serve models/churn --port 8080'],
  async run({ positionals: [dirArg], values: { port } }, io) {
    const dir = resolvePath(io, dirArg);
    if (!existsSync(dir)) throw failure(`${dir} does not exist`);
    // The service's TypeScript source, run through tsx.
    const serviceEntry = join(inferenceCheckout('serve'), 'src', 'index.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', serviceEntry], {
      env: {
        ...process.env,
        MODEL_DIR: dir,
        ...(port === undefined ? {} : { PORT: String(port) }),
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
