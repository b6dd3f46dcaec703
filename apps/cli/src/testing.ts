// Test helpers: run the command in process with captured output.
import { main } from './main.ts';

/** The outcome of one run: exit code, stdout and stderr. */
export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `modelship argv` in process, paths relative to `cwd`. */
export async function run(argv: readonly string[], cwd = process.cwd()): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
