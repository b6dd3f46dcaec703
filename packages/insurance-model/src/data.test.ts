import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTrainingConfig } from './config.ts';
import { DataError, dataSha256, loadInsuranceRows } from './data.ts';

describe('loadInsuranceRows', () => {
  it('loads all 1,338 rows, typed and validated', () => {
    const rows = loadInsuranceRows();
    expect(rows).toHaveLength(1338);
    expect(rows[0]).toEqual({
      age: 19,
      sex: 'female',
      bmi: 27.9,
      children: 0,
      smoker: 'yes',
      region: 'southwest',
      charges: 16884.924,
    });
    expect(new Set(rows.map((r) => r.region))).toEqual(
      new Set(['northeast', 'northwest', 'southeast', 'southwest']),
    );
  });

  it('rejects a file with invalid cells, naming each line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'insurance-data-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      'age,sex,bmi,children,smoker,region,charges\n19,female,27.9,0,yes,southwest,100\n17,other,27.9,0.5,yes,mars,-3\n',
    );
    let error: unknown;
    try {
      loadInsuranceRows(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).issues.map((i) => i.path)).toEqual([
      'row 3.age',
      'row 3.sex',
      'row 3.children',
      'row 3.region',
      'row 3.charges',
    ]);
  });
});

describe('dataSha256', () => {
  it('hashes the committed file to the checksums data/README.md records for it', () => {
    const readme = readFileSync(new URL('../data/README.md', import.meta.url), 'utf8');
    const recorded = (algorithm: string) =>
      new RegExp(`^- ${algorithm} of this copy: ([0-9a-f]+)$`, 'm').exec(readme)?.[1];
    expect(dataSha256()).toBe(recorded('sha256'));
    const md5 = createHash('md5').update(readFileSync(defaultTrainingConfig.dataFile));
    expect(md5.digest('hex')).toBe(recorded('md5'));
  });
});
