import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CommandOptions, commandLine, stringFlag } from '../args.ts';
import { failure, usageError } from '../errors.ts';
import { type CommandIo, resolvePath } from '../io.ts';

export const serveHelp = `Usage: modelship serve DIR [--port N]

Serves a model directory with the inference service, as \`MODEL_DIR=DIR pnpm start\` does
(the service's other settings come from the environment, see apps/inference/README.md).
Stops on Ctrl-C or SIGTERM with the service's graceful shutdown.

Options:
  --port N    the port (default: PORT from the environment, else 8080)

Example:
  modelship serve models/churn --port 8080`;

/** The service's entry point (its TypeScript source, run through tsx). */
const serviceEntry = fileURLToPath(
  new URL('src/index.ts', import.meta.resolve('@modelship/inference/package.json')),
);

/** The flags of `modelship serve` (besides `--help`). */
export const serveOptions = { port: { type: 'string' } } satisfies CommandOptions;

/** `modelship serve`: runs the service as a child process until it exits. */
export async function serveCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = commandLine(
    {
      name: 'serve',
      help: serveHelp,
      options: serveOptions,
      positional: 'one model directory (modelship serve DIR)',
    },
    argv,
    io,
  );
  if (!line) return 0;
  const { args, positional: dirArg } = line;
  const port = stringFlag(args, 'port');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) {
    throw usageError(`--port ${port} is not a port number`);
  }
  const dir = resolvePath(io, dirArg);
  if (!existsSync(dir)) throw failure(`${dir} does not exist`);
  const child = spawn(process.execPath, ['--import', 'tsx', serviceEntry], {
    env: { ...process.env, MODEL_DIR: dir, ...(port ? { PORT: port } : {}) },
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
}
