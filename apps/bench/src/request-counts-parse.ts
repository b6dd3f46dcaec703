/** Readers of `strace -c` summaries and callgrind dumps, for `request-counts.ts`. */

/** System calls counted by `strace -c`: per call name, and their total. */
export interface SyscallCounts {
  readonly total: number;
  readonly byName: ReadonlyMap<string, number>;
}

/**
 * Reads the table `strace -c -o FILE` writes (`% time  seconds  usecs/call  calls  errors
 * syscall`, the errors column empty when there were none, then a `total` row).
 * @throws when the text holds no `total` row.
 */
export function parseStraceSummary(text: string): SyscallCounts {
  const byName = new Map<string, number>();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // A row: percent, seconds, usecs/call, calls, [errors,] name (the total row too).
    if (fields.length < 5 || !/^\d+\.\d+$/.test(fields[0] ?? '')) continue;
    const name = fields.at(-1) as string;
    const calls = Number(fields[3]);
    if (!Number.isInteger(calls)) continue;
    if (name === 'total') total = calls;
    else byName.set(name, calls);
  }
  if (total === undefined) throw new Error(`no strace -c summary in:\n${text.slice(0, 400)}`);
  return { total, byName };
}

/**
 * The instructions (`Ir`) a callgrind dump counted: its `summary:` line (the whole dump, since
 * the last zeroing).
 * @throws when the dump has no summary, or counts another event first.
 */
export function callgrindInstructions(dump: string): number {
  const events = /^events:\s*(\S+)/m.exec(dump)?.[1];
  if (events !== 'Ir') throw new Error(`callgrind dump counts ${events ?? 'nothing'}, not Ir`);
  const summary = /^summary:\s*(\d+)/m.exec(dump)?.[1];
  if (summary === undefined) throw new Error('callgrind dump without a summary line');
  return Number(summary);
}
