import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ExporterExpected,
  exporterExpected,
  exporterFixtureDir,
  exporterFixtures,
} from '../test-fixtures/exporters.ts';

const RECORDS = 64;

/** One CSV line's cells (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

interface Csv {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function readCsv(name: string): Csv {
  const lines = readFileSync(`${exporterFixtureDir(name)}data.csv`, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const [header = '', ...rows] = lines;
  return { columns: csvCells(header), rows: rows.map(csvCells) };
}

/** Everything inconsistent between an expected.json and its data.csv (empty when none). */
function problems(e: ExporterExpected, csv: Csv): string[] {
  const out: string[] = [];
  const features = csv.columns.filter((c) => c !== e.target);
  if (!csv.columns.includes(e.target)) out.push(`target ${e.target} is not a data.csv column`);
  if (new Set(csv.columns).size !== csv.columns.length) out.push('duplicate data.csv columns');
  if (csv.rows.length < RECORDS || csv.rows.length > 600) out.push(`${csv.rows.length} rows`);
  csv.rows.forEach((row, i) => {
    if (row.length !== csv.columns.length) out.push(`data.csv row ${i + 1}: ${row.length} cells`);
  });
  if (e.records.length !== RECORDS) out.push(`${e.records.length} records, not ${RECORDS}`);
  e.records.forEach((record, i) => {
    const keys = Object.keys(record);
    if (keys.join('\u0000') !== features.join('\u0000')) {
      out.push(`record ${i}: keys are not data.csv's columns other than the target, in order`);
    }
    for (const key of keys) {
      const cell = csv.rows[i]?.[csv.columns.indexOf(key)];
      if (cell === undefined || Number(cell) !== record[key]) {
        out.push(`record ${i}: ${key} is ${record[key]}, data.csv row ${i + 1} says ${cell}`);
      }
    }
  });
  if (e.task === 'classification') {
    const classes = e.classes ?? [];
    if (classes.length < 2) out.push('a classifier needs at least two classes');
    if (e.labels?.length !== RECORDS) out.push(`${e.labels?.length} labels`);
    if (e.probabilities?.length !== RECORDS)
      out.push(`${e.probabilities?.length} probability rows`);
    if (e.values !== undefined) out.push('a classifier has values');
    e.probabilities?.forEach((p, i) => {
      if (p.length !== classes.length) out.push(`probabilities ${i}: ${p.length} columns`);
      const sum = p.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-4) out.push(`probabilities ${i} sum to ${sum}`);
    });
    e.labels?.forEach((label, i) => {
      if (!classes.includes(label)) out.push(`label ${i} (${label}) is not a class`);
    });
    const named = e.init.indexOf('--classes');
    if (named >= 0 && e.init[named + 1] !== classes.join(',')) {
      out.push('--classes does not name the classes in column order');
    }
  } else {
    if (e.classes !== null) out.push('a regressor has classes');
    if (e.labels !== undefined || e.probabilities !== undefined) out.push('a regressor has labels');
    if (e.values?.length !== RECORDS) out.push(`${e.values?.length} values`);
    if (e.values?.some((v) => !Number.isFinite(v))) out.push('a value is not finite');
  }
  return out;
}

describe('the exporter fixtures', () => {
  const names = Object.values(exporterFixtures);

  it('lists every fixture directory', () => {
    const dirs = readdirSync(exporterFixtureDir('.'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(`${exporterFixtureDir(d.name)}expected.json`))
      .map((d) => d.name);
    expect([...names].sort()).toEqual(dirs.sort());
  });

  it.each(names)('%s: expected.json agrees with data.csv', (name) => {
    expect(problems(exporterExpected(name), readCsv(name))).toEqual([]);
  });

  it.each(names)('%s: model.onnx has its side file exactly when it names one', (name) => {
    const dir = exporterFixtureDir(name);
    const model = readFileSync(`${dir}model.onnx`);
    expect(model.includes('model.onnx.data')).toBe(existsSync(`${dir}model.onnx.data`));
  });

  it('finds what is wrong with a broken expected.json', () => {
    const name = exporterFixtures.torchBreastCancerDynamo;
    const good = exporterExpected(name);
    const csv = readCsv(name);
    const [first, ...rest] = good.records;
    const broken: ExporterExpected[] = [
      { ...good, records: rest },
      { ...good, records: [{ ...first, [good.target]: 1 }, ...rest] },
      { ...good, records: [{ ...first, 'mean radius': -1 }, ...rest] },
      { ...good, classes: ['malignant'] },
      { ...good, labels: good.labels?.slice(1) },
      { ...good, probabilities: good.probabilities?.map((p) => p.slice(1)) },
      { ...good, target: 'no such column' },
      { ...good, init: ['--classes', 'benign,malignant'] },
      { ...good, task: 'regression' },
    ];
    for (const e of broken) expect(problems(e, csv)).not.toEqual([]);
  });
});
