import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { insuranceModelDir, insuranceSchema } from '@modelship/insurance-model';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { linearModel } from '@modelship/testkit';
import { readOnnxMetadata, writeOnnxMetadata } from './onnx-metadata.ts';

const { onnx } = onnxProto;

/** The oracle: decode the whole ModelProto with onnx-proto and collect its metadata_props. */
function fullDecodeMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.metadataProps.map(({ key, value }) => [key, value]));
}

describe('readOnnxMetadata', () => {
  it('reads the bundled model’s metadata exactly as a full decode does', () => {
    const bytes = readFileSync(join(insuranceModelDir, 'model.onnx'));
    const metadata = readOnnxMetadata(bytes);
    expect(metadata).toEqual(fullDecodeMetadata(bytes));
    expect(metadata['modelship.schema_fingerprint']).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(metadata)).toContain('modelship.metrics');
  });

  it('reads metadata wherever it sits among the fields (before or after the graph)', () => {
    const { bytes } = linearModel(insuranceSchema, { fingerprint: 'a'.repeat(64) });
    const model = onnx.ModelProto.decode(bytes);
    const extra = { key: 'z.extra', value: 'ünïcode ✓' };
    const entries = [...model.metadataProps, extra];
    // metadata_props (field 14) first, then everything else (graph is field 7)
    const first = onnx.ModelProto.encode(onnx.ModelProto.create({ metadataProps: entries })).finish();
    const rest = onnx.ModelProto.encode(onnx.ModelProto.create({ ...model, metadataProps: [] })).finish();
    const reordered = new Uint8Array([...first, ...rest]);
    expect(reordered[0]).toBe((14 << 3) | 2); // the file now starts with a metadata entry
    expect(readOnnxMetadata(reordered)).toEqual({ ...fullDecodeMetadata(bytes), 'z.extra': 'ünïcode ✓' });
    expect(readOnnxMetadata(reordered)).toEqual(fullDecodeMetadata(reordered));
  });

  it('returns no entries for a model without metadata', () => {
    const { bytes } = linearModel(insuranceSchema, { fingerprint: null });
    expect(readOnnxMetadata(bytes)).toEqual(fullDecodeMetadata(bytes));
    expect(readOnnxMetadata(bytes)['modelship.schema_fingerprint']).toBeUndefined();
  });

  it('rejects bytes that are not a ModelProto with a graph', () => {
    const { bytes } = linearModel(insuranceSchema);
    expect(() => readOnnxMetadata(new TextEncoder().encode('this is not an onnx model'))).toThrow();
    expect(() => readOnnxMetadata(bytes.subarray(0, bytes.length - 10))).toThrow(/index out of range/);
    expect(() => readOnnxMetadata(new Uint8Array())).toThrow(/no ONNX graph/);
    const noGraph = onnx.ModelProto.encode({ irVersion: 8, metadataProps: [{ key: 'k', value: 'v' }] }).finish();
    expect(() => readOnnxMetadata(noGraph)).toThrow(/no ONNX graph/);
    expect(() => readOnnxMetadata(new Uint8Array([0, 1, 2]))).toThrow(/field number 0/);
  });
});

describe('writeOnnxMetadata', () => {
  it('replaces an entry, keeps the others and leaves the rest of the model as it was', () => {
    const { bytes } = linearModel(insuranceSchema, { fingerprint: 'a'.repeat(64) });
    const stamped = writeOnnxMetadata(bytes, {
      'modelship.schema_fingerprint': 'b'.repeat(64),
      'modelship.extra': 'x',
    });
    expect(readOnnxMetadata(stamped)).toEqual({
      'modelship.schema_fingerprint': 'b'.repeat(64),
      'modelship.extra': 'x',
    });
    const graphOf = (b: Uint8Array) => {
      const { graph, metadataProps: _, ...rest } = onnx.ModelProto.decode(b);
      return { graph: Buffer.from(onnx.GraphProto.encode(graph ?? {}).finish()), rest };
    };
    expect(graphOf(stamped)).toEqual(graphOf(bytes));
    expect(readOnnxMetadata(writeOnnxMetadata(stamped, {}))).toEqual(readOnnxMetadata(stamped));
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => writeOnnxMetadata(new TextEncoder().encode('not onnx'), { k: 'v' })).toThrow();
  });
});
