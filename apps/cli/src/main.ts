// The `modelship` command: dispatches to a command module and maps failures to exit codes
// (0 done, 1 the model or data is at fault, 2 usage), with one message on stderr.
import { type Command, parseCommandLine } from './args.ts';
import { apikeyCommand } from './commands/apikey.ts';
import { buildCommand } from './commands/build.ts';
import { checkCommand } from './commands/check.ts';
import { compareCommand } from './commands/compare.ts';
import { initCommand } from './commands/init.ts';
import { profileCommand } from './commands/profile.ts';
import { publishCommand } from './commands/publish.ts';
import { serveCommand } from './commands/serve.ts';
import { stampCommand } from './commands/stamp.ts';
import { synthCommand } from './commands/synth.ts';
import { CliError, ExitCode } from './errors.ts';
import { commandHelp, mainHelp } from './help.ts';
import type { CommandIo } from './io.ts';

export { type CommandIo, table } from './io.ts';

/** Every command, in the order `modelship --help` lists them. */
export const commands: readonly Command[] = [
  initCommand,
  checkCommand,
  stampCommand,
  profileCommand,
  compareCommand,
  serveCommand,
  apikeyCommand,
  buildCommand,
  synthCommand,
  publishCommand,
];

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
    io.out(mainHelp(commands));
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(
      `modelship: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')}; see modelship --help)`,
    );
    return ExitCode.usage;
  }
  try {
    const line = parseCommandLine(command, rest);
    if (line.help) {
      io.out(commandHelp(command));
      return ExitCode.ok;
    }
    return await command.run(line, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`modelship ${name}: ${error.message}`);
      return error.exitCode;
    }
    io.err(`modelship ${name}: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return ExitCode.failed;
  }
}
