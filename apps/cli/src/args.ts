import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './errors.ts';
import type { CommandIo } from './io.ts';

/** A command's flags, as `util.parseArgs` takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The parsed command line of one command. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

/**
 * Parses a command's arguments with node's `util.parseArgs` (strict: unknown flags and
 * missing values are usage errors naming the flag), adding `--help`/`-h` to every command.
 *
 * @throws {CliError} (exit 2) naming the unknown or malformed flag.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: CommandOptions,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw usageError(
      `modelship ${command}: ${(error as Error).message} (see modelship ${command} --help)`,
    );
  }
}

/** A string flag's value, if given. */
export const stringFlag = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
};

/** What a command takes on its command line. */
export interface CommandSpec {
  /** The command's name, e.g. `check`. */
  readonly name: string;
  /** Printed for `--help`. */
  readonly help: string;
  /** Its flags (besides `--help`). */
  readonly options: CommandOptions;
  /** Its one positional argument, for the usage error, e.g. `the model directory (modelship check DIR)`. */
  readonly positional: string;
}

/**
 * Parses a command line: `undefined` when `--help` was asked (the help is printed, exit 0);
 * otherwise the flags and the one positional argument.
 *
 * @throws {CliError} (exit 2) for an unknown flag, a missing or an extra argument.
 */
export function commandLine(
  spec: CommandSpec,
  argv: readonly string[],
  io: CommandIo,
): { readonly args: ParsedArgs; readonly positional: string } | undefined {
  const args = parseCommandArgs(spec.name, argv, spec.options);
  if (args.values.help) {
    io.out(spec.help);
    return undefined;
  }
  const [positional, ...extra] = args.positionals;
  if (!positional) throw usageError(`give ${spec.positional}`);
  if (extra.length) throw usageError(`unexpected argument ${extra.join(' ')}`);
  return { args, positional };
}
