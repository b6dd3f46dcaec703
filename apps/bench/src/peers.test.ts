import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSchema, type FeatureRecord } from '@modelship/feature-schema';
import { insuranceModelDir, insuranceSchema } from '@modelship/insurance-model';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCi } from './config.ts';
import { fastapiPython } from './paths.ts';
import { startFastapiPeer } from './peers.ts';
import { benchRecords } from './records.ts';
import type { Running } from './stacks.ts';

// The FastAPI peer for real (Gunicorn + uvicorn workers behind the peers' nginx, from the venv
// .ci/run installs): it must predict what our model predicts and refuse what our schema
// refuses, or the benchmark would compare unequal work.
const available = existsSync(fastapiPython);
const missing = `no FastAPI peer venv at ${fastapiPython}: run bash apps/bench/peers/fastapi/setup-venv.sh`;
if (!available && !isCi()) console.warn(`skipping the FastAPI peer tests: ${missing}`);

describe('FastAPI peer', () => {
  it.runIf(isCi())('is installed (CI needs every real component)', () => {
    expect(available, missing).toBe(true);
  });

  describe.skipIf(!available)('behind nginx, on the bundled model', () => {
    let workDir = '';
    let peer: Running | undefined;
    const records = benchRecords(64);
    const post = async (body: unknown) => {
      const res = await fetch(`${peer?.url}/predict`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'bench-fastapi-'));
      peer = await startFastapiPeer({
        workDir,
        name: 'fastapi',
        modelDir: insuranceModelDir,
        probeBody: JSON.stringify(records[0]),
      });
    }, 60_000);
    afterAll(async () => {
      await peer?.stop();
      await rm(workDir, { recursive: true, force: true });
    });

    it('predicts what onnxruntime-node predicts on the same model.onnx', async () => {
      const compiled = compileSchema(insuranceSchema);
      const session = await ort.InferenceSession.create(join(insuranceModelDir, 'model.onnx'));
      const feeds = Object.fromEntries(
        Object.entries(compiled.encode(records)).map(([name, t]) => [
          name,
          new ort.Tensor(t.type, t.data, t.dims),
        ]),
      );
      const out = await session.run(feeds);
      const expected = Array.from(out[insuranceSchema.output.name]?.data as Float32Array, (v) => v);
      const many = await post({ instances: records });
      expect(many.status).toBe(200);
      expect(many.json.predictions).toEqual(expected);
      const one = await post(records[0]);
      expect(one.json).toEqual({
        prediction: expected[0],
        model: { name: insuranceSchema.model.name, version: insuranceSchema.model.version },
      });
    });

    it("accepts the schema's bounds and refuses what lies outside them, naming the field", async () => {
      const base = records[0] as FeatureRecord;
      for (const field of insuranceSchema.fields) {
        const valid =
          field.kind === 'numeric'
            ? [field.min, field.max].filter((v) => v !== undefined)
            : field.levels;
        const invalid =
          field.kind === 'numeric'
            ? [
                ...(field.min !== undefined ? [field.min - 1] : []),
                ...(field.max !== undefined ? [field.max + 1] : []),
                ...(field.dtype === 'integer' ? [(field.min ?? 0) + 0.5] : []),
                'text',
              ]
            : ['not-a-level', 1];
        for (const value of valid) {
          expect(
            (await post({ ...base, [field.name]: value })).status,
            `${field.name}=${value}`,
          ).toBe(200);
        }
        for (const value of invalid) {
          const { status, json } = await post({ ...base, [field.name]: value });
          expect(status, `${field.name}=${value}`).toBe(422);
          expect(JSON.stringify(json.detail)).toContain(`"${field.name}"`);
        }
      }
    });

    it('refuses unknown fields, missing fields and an empty batch', async () => {
      const base = records[0] as FeatureRecord;
      const { [insuranceSchema.fields[0]?.name ?? '']: _, ...withoutFirst } = base;
      expect((await post({ ...base, surprise: 1 })).status).toBe(422);
      expect((await post(withoutFirst)).status).toBe(422);
      expect((await post({ instances: [] })).status).toBe(422);
    });
  });
});
