import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { externalDataFiles, fixedBatchSize, MODEL_FILE } from '@modelship/inference';
import { defineCommand } from '../args.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure } from '../errors.ts';
import { resolvePath } from '../io.ts';

/** `modelship check`. */
export const checkCommand = defineCommand({
  name: 'check',
  summary: "the server's load checks, without serving",
  args: ['DIR'],
  flags: {},
  description: `Runs the server's load checks on a model directory without serving it: schema.json is valid,
model.onnx carries its fingerprint, the inputs and outputs match the schema's layout and task,
the weights' side files (if any) are beside it, and the schema's example predicts. Lists every
problem found, not just the first; reports a fixed batch dimension as information.
Exit 0 when the server would serve it, 1 when not.`,
  examples: ['modelship check models/churn'],
  async run({ positionals: [dirArg] }, io) {
    const dir = resolvePath(io, dirArg);
    const diagnosis = await diagnoseModelDir(dir);
    if (!diagnosis.ok) throw failure(formatProblems(dir, diagnosis.problems));
    const { model } = diagnosis;
    try {
      const [prediction] = await model.run([model.compiled.example]);
      const { task, identity } = model;
      const what =
        task.kind === 'classification'
          ? `classification (classes: ${task.classes.join(', ')})`
          : 'regression';
      io.out(
        `ok: ${identity.name} ${identity.version}, ${what}, fingerprint ${identity.fingerprint}`,
      );
      io.out(
        `example prediction: ${JSON.stringify(typeof prediction === 'object' ? prediction.label : prediction)}`,
      );
      const batch = fixedBatchSize(model.inputs);
      if (batch !== undefined) {
        io.out(
          `info: the model's batch dimension is fixed at ${batch}; the server runs batches of any size in chunks of ${batch}`,
        );
      }
      const sideFiles = externalDataFiles(await readFile(join(dir, MODEL_FILE)));
      if (sideFiles.length) {
        io.out(`info: weights in side files beside model.onnx, found: ${sideFiles.join(', ')}`);
      }
      return 0;
    } finally {
      await model.release();
    }
  },
});
