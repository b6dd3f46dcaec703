import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { readModelMetadata } from './model-metadata.ts';

describe('readModelMetadata', () => {
  it("reads the bundled model's name and version and fingerprints its schema", () => {
    const metadata = readModelMetadata();
    const schema = JSON.parse(readFileSync(join(insuranceModelDir, 'schema.json'), 'utf8'));
    expect(metadata.name).toBe(schema.model.name);
    expect(metadata.version).toBe(schema.model.version);
    expect(metadata.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('follows the schema: another version, another fingerprint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelship-model-'));
    try {
      const schema = JSON.parse(readFileSync(join(insuranceModelDir, 'schema.json'), 'utf8'));
      schema.model.version = '9.9.9';
      await writeFile(join(dir, 'schema.json'), JSON.stringify(schema));
      const changed = readModelMetadata(dir);
      expect(changed.version).toBe('9.9.9');
      expect(changed.fingerprint).not.toBe(readModelMetadata().fingerprint);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an invalid schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelship-model-'));
    try {
      await writeFile(join(dir, 'schema.json'), JSON.stringify({ schemaVersion: 1 }));
      expect(() => readModelMetadata(dir)).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
