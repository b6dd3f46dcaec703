// `modelship profile DIR --data CSV` on foreign models: the profile the server then loads,
// built from the data and the model's own predictions.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfile } from '@modelship/feature-schema';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel } from '@modelship/inference';
import { describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

const fixture = (name: string, file: string) => join(foreignFixtureDir(name), file);

async function initWithoutProfile(name: string, target: string): Promise<string> {
  const out = join(await mkdtemp(join(tmpdir(), 'modelship-profile-')), 'model');
  const args = ['init', fixture(name, 'model.onnx'), '--data', fixture(name, 'data.csv')];
  expect((await run([...args, '--target', target, '--out', out])).code).toBe(0);
  await rm(join(out, 'profile.json'));
  return out;
}

describe('modelship profile', () => {
  it('adds a profile the server loads: class shares for a classifier', async () => {
    const dir = await initWithoutProfile(foreignFixtures.churnBinary, 'churn');
    const result = await run([
      'profile',
      dir,
      '--data',
      fixture(foreignFixtures.churnBinary, 'data.csv'),
    ]);
    expect(result.err).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^wrote .*profile\.json: \d+ rows/);
    const profile = parseProfile(JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8')));
    expect(profile.prediction.kind).toBe('classes');
    const model = await loadModel({ dir });
    expect(model.profile).toEqual(profile);
    expect(profile.schemaFingerprint).toBe(model.identity.fingerprint);
    await model.release();
  });

  it('refreshes a stale profile of a regression model (value bins of its predictions)', async () => {
    const dir = await initWithoutProfile(foreignFixtures.rentRegression, 'rent');
    await writeFile(join(dir, 'profile.json'), '{"profileVersion": 1}');
    await expect(loadModel({ dir })).rejects.toThrow(/profile/);
    const result = await run([
      'profile',
      dir,
      '--data',
      fixture(foreignFixtures.rentRegression, 'data.csv'),
    ]);
    expect(result.code).toBe(0);
    const model = await loadModel({ dir });
    expect(model.profile?.prediction.kind).toBe('numeric');
    await model.release();
  });

  it('keeps 200 training rows as the background of /explain by default, N or none when asked, and says so', async () => {
    const dir = await initWithoutProfile(foreignFixtures.rentRegression, 'rent');
    const data = fixture(foreignFixtures.rentRegression, 'data.csv');
    const rows = (await readFile(data, 'utf8')).trim().split('\n').length - 1;
    const read = async () =>
      parseProfile(JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8'))).background;
    const card = await readFile(join(dir, 'model-card.md'), 'utf8');
    expect(card).toMatch(/keeps \d+ rows of `data.csv` as the background of `POST \/explain`/);
    const byDefault = await run(['profile', dir, '--data', data]);
    expect(byDefault.err).toMatch(/ships with the model/);
    expect(byDefault.out).toMatch(/background rows/);
    expect(await read()).toHaveLength(Math.min(200, rows));
    expect((await run(['profile', dir, '--data', data, '--background-rows', '7'])).code).toBe(0);
    const seven = await read();
    expect(seven).toHaveLength(7);
    // Deterministic: the same data gives the same rows.
    await run(['profile', dir, '--data', data, '--background-rows', '7']);
    expect(await read()).toEqual(seven);
    const none = await run(['profile', dir, '--data', data, '--background-rows', '0']);
    expect(none.err).toMatch(/409/);
    expect(await read()).toBeUndefined();
    expect((await run(['profile', dir, '--data', data, '--background-rows', '-1'])).code).toBe(2);
  });

  it('is a usage error without --data, and a failure on rows the schema refuses', async () => {
    const dir = await initWithoutProfile(foreignFixtures.rentRegression, 'rent');
    expect((await run(['profile', dir])).code).toBe(2);
    const csv = (await readFile(fixture(foreignFixtures.rentRegression, 'data.csv'), 'utf8')).split(
      '\n',
    );
    const header = (csv[0] as string).split(',');
    const bad = header.map(() => 'not-a-value').join(',');
    const badCsv = join(dir, '..', 'bad.csv');
    await writeFile(badCsv, `${csv[0]}\n${bad}\n`);
    const result = await run(['profile', dir, '--data', badCsv]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/line 2/);
  });
});
