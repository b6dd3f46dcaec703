import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { ModelLoadError } from '../model/load.ts';
import { startService } from '../service.ts';
import { memoryLogger } from '../testing/fake-deps.ts';
import { CurrentFileError, readCurrent, resolveModelSource } from './source.ts';

describe('model sources', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-source-'));
    await mkdir(join(root, 'v1'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('tells a plain model directory from a versioned source', async () => {
    expect(await resolveModelSource(insuranceModelDir)).toEqual({
      kind: 'plain',
      dir: insuranceModelDir,
    });
    await writeFile(join(root, 'current'), 'v1\n');
    expect(await resolveModelSource(root)).toEqual({ kind: 'versioned', root });
    expect(await readCurrent(root)).toEqual({ name: 'v1', dir: join(root, 'v1') });
  });

  it.each([
    ['empty', ''],
    ['a path', '../elsewhere\n'],
    ['two lines', 'v1\nv2\n'],
    ['a parent', '..'],
  ])('refuses a current file holding %s', async (_, text) => {
    await writeFile(join(root, 'current'), text);
    await expect(readCurrent(root)).rejects.toBeInstanceOf(CurrentFileError);
  });

  it('refuses to start on a current file that names no version (before listening)', async () => {
    await writeFile(join(root, 'current'), '../x\n');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MODEL_DIR: root });
    await expect(
      startService({ config, logger: memoryLogger().logger, exit: () => {} }),
    ).rejects.toBeInstanceOf(ModelLoadError);
  });
});
