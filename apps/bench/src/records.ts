import { compileSchema, type FeatureRecord } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';

/**
 * `count` valid insurance records, identical for every stack. Built from the schema's example
 * with each numeric field walked deterministically across its range and each categorical
 * across its levels, so that a 64-record body is not 64 copies of one row.
 */
export function benchRecords(count: number): FeatureRecord[] {
  const { example } = compileSchema(insuranceSchema);
  return Array.from({ length: count }, (_, i) => {
    const record: Record<string, number | string> = { ...example };
    for (const field of insuranceSchema.fields) {
      if (field.kind === 'categorical') {
        record[field.name] = field.levels[
          (i * 7 + field.name.length) % field.levels.length
        ] as string;
      } else {
        const span = field.max - field.min;
        const value = field.min + ((i * 37 + field.name.length * 11) % 100) * (span / 100);
        record[field.name] =
          field.dtype === 'integer' ? Math.round(value) : Math.round(value * 10) / 10;
      }
    }
    return record;
  });
}
