import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSchema, parseSchema, verifyFingerprint } from '@modelship/feature-schema';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { writeHeavyModel } from './heavy-model.ts';
import { benchRecords } from './records.ts';

const { onnx } = onnxProto;

describe('writeHeavyModel', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-heavy-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  await writeHeavyModel({ dir, trees: 20, depth: 4, seed: 7 });
  const schema = compileSchema(
    parseSchema(JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8'))),
  );

  it('stamps the fingerprint of its schema.json into the ONNX metadata', async () => {
    const model = onnx.ModelProto.decode(await readFile(join(dir, 'model.onnx')));
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(() => verifyFingerprint(metadata, schema)).not.toThrow();
    expect(schema.schema.model.name).toBe('insurance-heavy-trees');
  });

  it('runs in onnxruntime on the schema encoding, one prediction per record', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const records = benchRecords(3);
    const feeds = Object.fromEntries(
      Object.entries(schema.encode(records)).map(([name, t]) => [
        name,
        new ort.Tensor(t.type, t.data, t.dims),
      ]),
    );
    const out = (await session.run(feeds))[schema.schema.output.name];
    if (!out) throw new Error('no output');
    expect(out.dims).toEqual([3, 1]);
    expect([...(out.data as Float32Array)].every(Number.isFinite)).toBe(true);
    await session.release();
  });

  it('is deterministic for a seed', async () => {
    const again = await mkdtemp(join(tmpdir(), 'bench-heavy-'));
    try {
      await writeHeavyModel({ dir: again, trees: 20, depth: 4, seed: 7 });
      expect(await readFile(join(again, 'model.onnx'))).toEqual(
        await readFile(join(dir, 'model.onnx')),
      );
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });
});
