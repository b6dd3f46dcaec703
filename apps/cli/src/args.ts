import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';
import type { CommandIo } from './io.ts';

interface FlagBase {
  /** One line (wrapped in `--help`): what the flag does, and any default not declared below. */
  readonly help: string;
  /** Another flag this one is meaningless without. */
  readonly needs?: string;
}

/** A flag without a value: `--force`. */
export interface BooleanFlag extends FlagBase {
  readonly type: 'boolean';
}

/** A flag with a value: `--out DIR`. */
export interface StringFlag extends FlagBase {
  readonly type: 'string';
  /** The value's placeholder in `--help` and errors: `DIR`. */
  readonly value: string;
  readonly required?: boolean;
  readonly default?: string;
  /** The values allowed; any other is a usage error listing them. */
  readonly choices?: readonly string[];
}

/** A flag with a whole number as its value: `--top N`. */
export interface IntegerFlag extends FlagBase {
  readonly type: 'integer';
  readonly value: string;
  readonly default?: number;
  readonly min: number;
  readonly max?: number;
  /** What the value must be, for the usage error (default: "a whole number from MIN to MAX"). */
  readonly must?: string;
}

/** One flag's declaration: parsing, validation and `--help` all come from it. */
export type Flag = BooleanFlag | StringFlag | IntegerFlag;
export type Flags = Readonly<Record<string, Flag>>;

type Missing<F> = F extends { required: true } | { default: unknown } ? never : undefined;

/** The parsed value of a flag: typed by its declaration, `undefined` only when it may be. */
export type FlagValue<F extends Flag> = F extends BooleanFlag
  ? boolean
  :
      | (F extends IntegerFlag ? number : F extends { choices: readonly (infer C)[] } ? C : string)
      | Missing<F>;

/** A command line parsed and checked against its command's declaration. */
export interface CommandLine<A extends readonly string[], F extends Flags> {
  /** The positional arguments, as many as the command declares. */
  readonly positionals: { readonly [I in keyof A]: string };
  readonly values: { readonly [K in keyof F]: FlagValue<F[K]> };
  /** `--help` was given: nothing else was checked. */
  readonly help: boolean;
}

/** A `modelship` command: its arguments, flags and help, and what it does with them. */
export interface Command<A extends readonly string[] = readonly string[], F extends Flags = Flags> {
  readonly name: string;
  /** One line for `modelship --help`. */
  readonly summary: string;
  /** Placeholders of the positional arguments, all required: `['DIR']`. */
  readonly args: A;
  readonly flags: F;
  /** The paragraph of `--help` between the usage line and the options. */
  readonly description: string;
  readonly examples: readonly string[];
  run(line: CommandLine<A, F>, io: CommandIo): Promise<number>;
}

/** Declares a command; its flags' declaration types the values `run` receives. */
export function defineCommand<const A extends readonly string[], const F extends Flags>(
  command: Command<A, F>,
): Command<A, F> {
  return command;
}

/** `--out DIR`, `--force`. */
export const flagLabel = (name: string, flag: Flag) =>
  flag.type === 'boolean' ? `--${name}` : `--${name} ${flag.value}`;

/** `modelship init MODEL.onnx --out DIR`: the arguments and required flags. */
export function synopsis(command: Command): string {
  const required = Object.entries(command.flags)
    .filter(([, flag]) => flag.type === 'string' && flag.required)
    .map(([name, flag]) => flagLabel(name, flag));
  return ['modelship', command.name, ...command.args, ...required].join(' ');
}

/** Parses and checks one flag's value (given, or its default). */
function flagValue(name: string, flag: Flag, given: string | boolean | undefined) {
  if (flag.type === 'boolean') return given === true;
  if (given === undefined || typeof given === 'boolean') {
    if (flag.type === 'string' && flag.required) {
      throw usageError(`${flagLabel(name, flag)} is required: ${flag.help}`);
    }
    return flag.default;
  }
  if (flag.type === 'string') {
    if (flag.choices && !flag.choices.includes(given)) {
      throw usageError(`--${name} ${given}: must be one of ${flag.choices.join(', ')}`);
    }
    return given;
  }
  const value = Number(given);
  const { min, max } = flag;
  if (!/^\d+$/.test(given) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
    throw usageError(`--${name} ${given}: must be ${flag.must ?? `a whole number ${range}`}`);
  }
  return value;
}

/**
 * Parses a command line against the command's declaration: unknown flags, missing or extra
 * arguments, a flag without the one it needs, a missing required flag and a value outside the
 * allowed ones are usage errors naming the flag.
 *
 * @throws {CliError} (exit 2)
 */
export function parseCommandLine<A extends readonly string[], F extends Flags>(
  command: Command<A, F>,
  argv: readonly string[],
): CommandLine<A, F> {
  const see = `see modelship ${command.name} --help`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(
          Object.entries(command.flags).map(([name, flag]) => [
            name,
            { type: flag.type === 'boolean' ? 'boolean' : 'string' } as const,
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${(error as Error).message} (${see})`);
  }
  const { positionals } = parsed;
  // No flag is declared `multiple`: each value is a string or a boolean.
  const given = parsed.values as Record<string, string | boolean | undefined>;
  const line = { positionals, values: {}, help: given.help === true };
  if (line.help) return line as unknown as CommandLine<A, F>;
  if (positionals.length < command.args.length) {
    throw usageError(`give ${command.args.join(' and ')} (${synopsis(command)}; ${see})`);
  }
  if (positionals.length > command.args.length) {
    throw usageError(`unexpected argument ${positionals.slice(command.args.length).join(' ')}`);
  }
  for (const [name, flag] of Object.entries(command.flags)) {
    if (flag.needs && given[name] !== undefined && given[flag.needs] === undefined) {
      const other = command.flags[flag.needs];
      const label = other ? flagLabel(flag.needs, other) : `--${flag.needs}`;
      throw usageError(`--${name} needs ${label} (${see})`);
    }
  }
  const values = Object.fromEntries(
    Object.entries(command.flags).map(([name, flag]) => [name, flagValue(name, flag, given[name])]),
  );
  return { ...line, values } as unknown as CommandLine<A, F>;
}
