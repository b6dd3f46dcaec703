import { spawnSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';

/** Where a command writes and how it resolves the paths it is given. */
export interface CommandIo {
  /** Results (parseable: tables, paths). */
  readonly out: (line: string) => void;
  /** Progress and errors. */
  readonly err: (line: string) => void;
  /** The directory relative paths are resolved against (the user's, not pnpm's). */
  readonly cwd: string;
}

/** A path given on the command line, resolved against the user's directory. */
export function resolvePath(io: CommandIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** Whether an executable of that name is on PATH. */
export const onPath = (name: string): boolean =>
  spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;

/** A plain-text table: a header row, a rule, then the rows, columns padded to align. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length))) ?? [];
  const line = (r: readonly string[]) =>
    r
      .map((cell, j) => cell.padEnd(widths[j] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
