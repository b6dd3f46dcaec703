import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compileSchema, type RecordOf } from '@modelship/feature-schema';
import { parse } from 'csv-parse/sync';
import { defaultTrainingConfig } from './config.ts';
import { insuranceSchema } from './schema.ts';

/** One validated record of the insurance schema (the model's input). */
export type InsuranceRecord = RecordOf<typeof insuranceSchema>;

/** One row of the data set: the record and its target, `charges` (USD). */
export type InsuranceRow = InsuranceRecord & { readonly charges: number };

/** Thrown when a CSV row does not satisfy the schema; lists every bad cell. */
export class DataError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(
      `${issues.length} invalid cell(s) in the data set: ${issues
        .slice(0, 10)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
    );
    this.name = 'DataError';
  }
}

/** sha256 (hex) of the data file's bytes, recorded in the model metadata. */
export function dataSha256(file: string = defaultTrainingConfig.dataFile): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Loads the CSV data set and validates every row through the insurance schema (the same
 * validator the service runs on requests) plus a finite, positive `charges` target.
 *
 * @throws {DataError} naming each bad cell as `row <line>.<field>`.
 */
export function loadInsuranceRows(file: string = defaultTrainingConfig.dataFile): InsuranceRow[] {
  const compiled = compileSchema<InsuranceRecord>(insuranceSchema);
  const table: Record<string, unknown>[] = parse(readFileSync(file, 'utf8'), {
    columns: true,
    cast: true,
    skip_empty_lines: true,
  });
  const rows: InsuranceRow[] = [];
  const issues: { path: string; message: string }[] = [];
  table.forEach((cells, i) => {
    const { charges, ...features } = cells;
    const path = `row ${i + 2}`; // line number in the file (1 is the header)
    const result = compiled.validate(features, path);
    if (!result.ok) issues.push(...result.issues);
    if (typeof charges !== 'number' || !Number.isFinite(charges) || charges <= 0) {
      issues.push({ path: `${path}.charges`, message: 'must be a positive number' });
    } else if (result.ok) {
      rows.push({ ...result.value, charges });
    }
  });
  if (issues.length) throw new DataError(issues);
  return rows;
}
