import type { FeatureRecord } from '@modelship/feature-schema';
import { insuranceSchema, loadInsuranceRows } from '@modelship/insurance-model';

/**
 * The first `count` rows of the insurance data set (validated by the schema), without the
 * target: the records every stack is sent, so that all of them answer the same bodies.
 */
export function benchRecords(count: number): FeatureRecord[] {
  const rows = loadInsuranceRows().slice(0, count);
  if (rows.length < count) throw new Error(`the data set has only ${rows.length} rows`);
  const fields = insuranceSchema.fields.map((f) => f.name);
  return rows.map((row) => Object.fromEntries(fields.map((name) => [name, row[name]])));
}

/** The two request bodies every stack is sent: one record, or `{"instances": [64 records]}`. */
export function benchBodies(): { readonly one: string; readonly batch: string } {
  const records = benchRecords(64);
  return { one: JSON.stringify(records[0]), batch: JSON.stringify({ instances: records }) };
}
