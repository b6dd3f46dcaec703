// The `modelship` command: dispatches to a command module and maps failures to exit codes
// (0 done, 1 the model or data is at fault, 2 usage), with one message on stderr.
import { buildCommand, buildOptions } from './commands/build.ts';
import { checkCommand, checkOptions } from './commands/check.ts';
import { compareCommand, compareOptions } from './commands/compare.ts';
import { initCommand, initOptions } from './commands/init.ts';
import { profileCommand, profileOptions } from './commands/profile.ts';
import { publishCommand, publishOptions } from './commands/publish.ts';
import { serveCommand, serveOptions } from './commands/serve.ts';
import { stampCommand, stampOptions } from './commands/stamp.ts';
import { synthCommand, synthOptions } from './commands/synth.ts';
import { CliError, ExitCode } from './errors.ts';
import type { CommandIo } from './io.ts';

export { type CommandIo, table } from './io.ts';

const commands = {
  init: initCommand,
  check: checkCommand,
  stamp: stampCommand,
  profile: profileCommand,
  compare: compareCommand,
  serve: serveCommand,
  build: buildCommand,
  synth: synthCommand,
  publish: publishCommand,
} as const;

/** Every command's flags, for tools that check command lines (the README's, in its test). */
export const commandOptions = {
  init: initOptions,
  check: checkOptions,
  stamp: stampOptions,
  profile: profileOptions,
  compare: compareOptions,
  serve: serveOptions,
  build: buildOptions,
  synth: synthOptions,
  publish: publishOptions,
} as const satisfies Record<keyof typeof commands, unknown>;

export const mainHelp = `Usage: modelship <command> [options]

Commands:
  init MODEL.onnx --out DIR   write a model directory (schema.json, stamped model.onnx, card)
  check DIR                   the server's load checks, without serving
  stamp DIR                   re-stamp the schema fingerprint after editing schema.json
  profile DIR --data CSV      add or refresh profile.json (drift monitoring's training profile)
  compare STABLE CANDIDATE --data CSV
                              how two model directories' predictions differ over the same rows
  serve DIR [--port N]        serve the directory with the inference service
  build DIR --image IMAGE     the service's image with the model inside [--engine E] [--push]
  synth DIR --image IMAGE     the Kubernetes manifests that run it (dist/ENV.k8s.yaml)
  publish DIR gs://BUCKET/PREFIX [--version V] [--run]
                              a new version in a Cloud Storage model source, then its current

Run modelship <command> --help for a command's options and an example.
Exit codes: 0 done, 1 the model or data is at fault, 2 usage.`;

/** The process's io: stdout for results, stderr for progress and errors, the user's directory. */
function processIo(): CommandIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    // pnpm runs root scripts from the repository root; INIT_CWD is where the user typed.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
}

/**
 * Runs `modelship` with `argv` (without `node` and the script) and returns its exit code.
 *
 * @example
 * process.exitCode = await main(['check', 'models/churn']);
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands[name as keyof typeof commands];
  if (!command) {
    io.err(
      `modelship: unknown command "${name}" (commands: ${Object.keys(commands).join(', ')}; see modelship --help)`,
    );
    return ExitCode.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`modelship ${name}: ${error.message}`);
      return error.exitCode;
    }
    io.err(`modelship ${name}: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return ExitCode.failed;
  }
}
