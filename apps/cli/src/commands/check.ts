import { type CommandOptions, commandLine } from '../args.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure } from '../errors.ts';
import { type CommandIo, resolvePath } from '../io.ts';

export const checkHelp = `Usage: modelship check DIR

Runs the server's load checks on a model directory without serving it: schema.json is valid,
model.onnx carries its fingerprint, the inputs and outputs match the schema's layout and task,
and the schema's example predicts. Lists every problem found, not just the first.
Exit 0 when the server would serve it, 1 when not.

Example:
  modelship check models/churn`;

/** The flags of `modelship check` (besides `--help`). */
export const checkOptions = {} satisfies CommandOptions;

/** `modelship check`. */
export async function checkCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = commandLine(
    {
      name: 'check',
      help: checkHelp,
      options: checkOptions,
      positional: 'one model directory (modelship check DIR)',
    },
    argv,
    io,
  );
  if (!line) return 0;
  const { positional: dirArg } = line;
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
    return 0;
  } finally {
    await model.release();
  }
}
