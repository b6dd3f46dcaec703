import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { compileSchema } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { describe, expect, it } from 'vitest';
import { spawnService } from '../testing/spawn-service.ts';

/** Runs the service expecting it to refuse to start; returns its CRITICAL log line. */
async function expectStartupFailure(env: Record<string, string>) {
  const service = spawnService(env);
  const code = await service.exited;
  expect(code, service.stderr()).toBe(1);
  expect(service.lines.some((l) => String(l.message).startsWith('listening'))).toBe(false);
  const fatal = service.lines.find((l) => l.severity === 'CRITICAL');
  expect(fatal, JSON.stringify(service.lines)).toBeDefined();
  return String(fatal?.message);
}

describe('startup failures exit non-zero with a clear message and never listen', () => {
  it('missing model, corrupt model, schema mismatch, bad variable, port in use', async () => {
    const good = linearModel(insuranceSchema).bytes;
    const mismatched = {
      ...insuranceSchema,
      output: { name: 'prediction' },
    };
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = String((blocker.address() as AddressInfo).port);
    const [missing, corrupt, mismatch, badEnv, portInUse] = await Promise.all([
      writeModelDir(insuranceSchema, null).then((dir) => expectStartupFailure({ MODEL_DIR: dir })),
      writeModelDir(insuranceSchema, good.subarray(0, good.length - 40)).then((dir) =>
        expectStartupFailure({ MODEL_DIR: dir }),
      ),
      writeModelDir(
        mismatched,
        linearModel(insuranceSchema, { fingerprint: compileSchema(mismatched).fingerprint }).bytes,
      ).then((dir) => expectStartupFailure({ MODEL_DIR: dir })),
      expectStartupFailure({ MAX_BATCH: 'many' }),
      writeModelDir(insuranceSchema, good).then((dir) =>
        expectStartupFailure({ MODEL_DIR: dir, PORT: busyPort }),
      ),
    ]);
    blocker.close();
    expect(missing).toMatch(/model not found: .*model\.onnx/);
    expect(corrupt).toMatch(/model\.onnx/);
    expect(mismatch).toMatch(/no output named "prediction"/);
    expect(badEnv).toMatch(/MAX_BATCH="many"/);
    expect(portInUse).toMatch(/EADDRINUSE/);
    // Five service processes start at once: on a loaded 2-core machine that takes seconds.
  }, 30_000);
});
