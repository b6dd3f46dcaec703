/** Exit codes of the `modelship` command. */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** The model or the data is at fault (or the directory the command checks). */
  failed: 1,
  /** The command line is wrong: unknown command or flag, missing argument, existing --out. */
  usage: 2,
} as const;

/** A failure the command reports as one message on stderr, with its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

/** The command line is wrong (exit 2). */
export const usageError = (message: string) => new CliError(ExitCode.usage, message);

/** The model or data is at fault (exit 1). */
export const failure = (message: string) => new CliError(ExitCode.failed, message);
