import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './errors.ts';

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
