import { describe, expect, it } from 'vitest';
import { benchRecords } from './records.ts';

describe('benchRecords', () => {
  it('takes the first rows of the data set, features only', () => {
    const records = benchRecords(64);
    expect(records).toHaveLength(64);
    expect(records[0]).toEqual({
      age: 19,
      sex: 'female',
      bmi: 27.9,
      children: 0,
      smoker: 'yes',
      region: 'southwest',
    });
    expect(records.every((r) => !('charges' in r))).toBe(true);
  });
});
