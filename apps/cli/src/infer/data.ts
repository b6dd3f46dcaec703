import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { failure, usageError } from '../errors.ts';

/** A CSV of training data: its header and its rows (cells as text). */
export interface DataTable {
  readonly path: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, string>[];
}

/**
 * Reads a CSV with a header row (csv-parse).
 *
 * @throws {CliError} (exit 1) naming the file when it cannot be read or parsed, or has no rows.
 */
export async function readDataTable(path: string): Promise<DataTable> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw failure(`cannot read --data ${path}: ${(error as Error).message}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(content, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw failure(`--data ${path} is not a valid CSV: ${(error as Error).message}`);
  }
  const [first] = rows;
  if (!first) throw failure(`--data ${path} has a header but no rows`);
  return { path, columns: Object.keys(first), rows };
}

/** Checks that the CSV holds every column the model needs and, if given, the target column. */
export function checkColumns(table: DataTable, needed: readonly string[], target?: string): void {
  if (target !== undefined && !table.columns.includes(target)) {
    throw usageError(
      `--target ${target}: no such column in ${table.path} (columns: ${table.columns.join(', ')})`,
    );
  }
  const missing = needed.filter((name) => !table.columns.includes(name));
  if (missing.length) {
    throw failure(
      `${table.path} has no column ${missing.map((m) => `"${m}"`).join(', ')}, which the model needs as input (columns: ${table.columns.join(', ')})`,
    );
  }
}

/** What the data says about a numeric column. */
export interface NumericStats {
  readonly min: number;
  readonly max: number;
  /** Every value is a whole number. */
  readonly integers: boolean;
  /** A typical value: the lower median (a value that occurs in the data). */
  readonly example: number;
}

/**
 * Range, integer-ness and a typical value of a numeric column.
 *
 * @throws {CliError} (exit 1) naming the row and column of a value that is not a number.
 */
export function numericStats(table: DataTable, column: string): NumericStats {
  const values = table.rows.map((row, i) => {
    const cell = row[column] ?? '';
    const value = cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value)) {
      // +2: the header is line 1, rows start at line 2
      throw failure(
        `${table.path} line ${i + 2}, column "${column}": ${JSON.stringify(cell)} is not a number`,
      );
    }
    return value;
  });
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    integers: values.every(Number.isInteger),
    example: sorted[Math.floor((sorted.length - 1) / 2)] as number,
  };
}

/** The levels of a categorical column, most frequent first (ties in order of appearance). */
export function levelsSeen(table: DataTable, column: string): string[] {
  const counts = new Map<string, number>();
  for (const row of table.rows) {
    const value = row[column] ?? '';
    if (value === '') continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([level]) => level);
}
