import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCi, modelDir, portabilityPython } from './config.ts';
import { loadInsuranceRows } from './data.ts';
import { referencePredict } from './reference.ts';
import { insuranceSchema } from './schema.ts';

// Portability: the bundled model.onnx runs unchanged in a second ONNX runtime (Python
// onnxruntime, as Triton's and KServe's ONNX backends embed it), fed only the raw fields as
// [N,1] columns, and predicts what training computed for every row.

const runner = fileURLToPath(new URL('../portability/run_onnx.py', import.meta.url));
const available = existsSync(portabilityPython);
const missing = `no Python onnxruntime at ${portabilityPython}: run packages/insurance-model/portability/setup-venv.sh`;

interface RunnerOutput {
  onnxruntime: string;
  inputs: { name: string; type: string; shape: (number | string | null)[] }[];
  outputs: Record<string, number[][]>;
}

function runInPython(columns: Record<string, unknown[]>): RunnerOutput {
  const result = spawnSync(portabilityPython, [runner], {
    input: JSON.stringify({ model: `${modelDir}model.onnx`, columns }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`run_onnx.py exited ${result.status}: ${result.stderr || result.error}`);
  }
  return JSON.parse(result.stdout) as RunnerOutput;
}

describe('portability: Python onnxruntime', () => {
  it.runIf(isCi)('is installed (CI needs every real component)', () => {
    expect(available, missing).toBe(true);
  });

  describe.skipIf(!available)('on model.onnx, given only the raw fields', () => {
    if (!available) console.warn(`skipping the portability check: ${missing}`);
    const rows = loadInsuranceRows();
    const records = rows.map(({ charges: _, ...record }) => record);
    // One column per schema field (the per-field inputs are named after the fields).
    const columns = Object.fromEntries(
      insuranceSchema.fields.map(({ name }) => [
        name,
        records.map((record) => record[name as keyof typeof record]),
      ]),
    );

    it('declares one [N,1] input per raw field and predicts every row as training did (1e-4 relative)', () => {
      const out = runInPython(columns);
      expect(out.inputs).toEqual([
        { name: 'age', type: 'tensor(float)', shape: ['N', 1] },
        { name: 'sex', type: 'tensor(string)', shape: ['N', 1] },
        { name: 'bmi', type: 'tensor(float)', shape: ['N', 1] },
        { name: 'children', type: 'tensor(float)', shape: ['N', 1] },
        { name: 'smoker', type: 'tensor(string)', shape: ['N', 1] },
        { name: 'region', type: 'tensor(string)', shape: ['N', 1] },
      ]);
      const charges = out.outputs.charges ?? [];
      expect(charges).toHaveLength(records.length);
      const reference = referencePredict(records);
      let worst = 0;
      charges.forEach((row, i) => {
        expect(row).toHaveLength(1);
        const value = row[0] as number;
        const ref = reference[i] as number;
        const rel = Math.abs(value - ref) / Math.abs(ref);
        worst = Math.max(worst, rel);
        expect(rel, `row ${i}: python onnxruntime ${value}, reference ${ref}`).toBeLessThanOrEqual(
          1e-4,
        );
      });
      console.info(
        `python onnxruntime ${out.onnxruntime}: ${charges.length} rows, worst relative difference ${worst.toExponential(2)}`,
      );
    });
  });
});
