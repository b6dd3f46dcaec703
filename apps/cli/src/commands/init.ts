import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { compileSchema, FINGERPRINT_METADATA_KEY } from '@modelship/feature-schema';
import { loadModel, ModelLoadError, PROFILE_FILE, writeOnnxMetadata } from '@modelship/inference';
import { defineCommand } from '../args.ts';
import { failure } from '../errors.ts';
import { checkColumns, type DataTable, readDataTable } from '../infer/data.ts';
import { describeGraph } from '../infer/graph.ts';
import { fieldName, inferSchema } from '../infer/schema.ts';
import { resolvePath, table } from '../io.ts';
import { modelCardStub } from '../model-card.ts';
import { profileFromData, profileJson } from '../profile-data.ts';
import { checkOut, writeDirAtomically } from '../write-dir.ts';

/** A model name from a file name: `My Model.onnx` → `my-model`. */
function defaultName(path: string): string {
  const name = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name || 'model';
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** `modelship init`. */
export const initCommand = defineCommand({
  name: 'init',
  summary: 'write a model directory (schema.json, stamped model.onnx, card)',
  args: ['MODEL.onnx'],
  flags: {
    out: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: 'the directory to write (must not exist, unless --force)',
    },
    data: {
      type: 'string',
      value: 'CSV',
      help: 'training data with a header row: ranges, integer-or-float, examples, levels',
    },
    target: {
      type: 'string',
      value: 'COLUMN',
      needs: 'data',
      help: 'the CSV column the model predicts (not a feature)',
    },
    name: { type: 'string', value: 'NAME', help: "the model's name (default: the file name)" },
    version: { type: 'string', value: 'V', default: '1.0.0', help: "the model's version" },
    force: { type: 'boolean', help: 'replace DIR if it exists' },
  },
  description: `Writes a model directory the server accepts: schema.json inferred from the graph (one field
per [N, 1] input; categorical levels from OneHotEncoder/LabelEncoder/CategoryMapper nodes;
the task and classes from the outputs), refined by training data; model.onnx with the
schema's fingerprint stamped; a model card stub; with --data, profile.json (the data's shape
and the model's predictions on it, for drift monitoring). It then loads the directory with
the server's own loader and predicts the schema's example.`,
  examples: ['modelship init churn.onnx --data train.csv --target churn --out models/churn'],
  async run({ positionals: [modelArg], values }, io) {
    const { target, data: dataArg, force } = values;
    const modelPath = resolvePath(io, modelArg);
    const out = resolvePath(io, values.out);
    checkOut(out, force);

    let bytes: Uint8Array;
    try {
      bytes = await readFile(modelPath);
    } catch (error) {
      throw failure(`cannot read ${modelPath}: ${(error as Error).message}`);
    }
    io.err(`reading ${modelPath}`);
    const graph = await describeGraph(modelPath, bytes);
    let data: DataTable | undefined;
    if (dataArg !== undefined) {
      data = await readDataTable(resolvePath(io, dataArg));
      checkColumns(
        data,
        graph.inputs.map((i) => fieldName(i.name)),
        target,
      );
      io.err(`reading ${data.path}: ${data.rows.length} rows`);
    }
    const { schema, fields } = inferSchema({
      graph,
      ...(data ? { data } : {}),
      ...(target !== undefined ? { target } : {}),
      name: values.name ?? defaultName(modelPath),
      version: values.version,
      source: basename(modelPath),
    });
    const compiled = compileSchema(schema);
    const stamped = writeOnnxMetadata(bytes, {
      [FINGERPRINT_METADATA_KEY]: compiled.fingerprint,
      'modelship.model_name': schema.model.name,
      'modelship.model_version': schema.model.version,
    });
    const classes = graph.task.kind === 'classification' ? graph.task.classes : undefined;
    const card = modelCardStub(schema, {
      source: basename(modelPath),
      sourceSha256: createHash('sha256').update(bytes).digest('hex'),
      ...(data ? { data: basename(data.path) } : {}),
      ...(classes ? { classes } : {}),
    });
    let predicted = '';
    await writeDirAtomically(
      out,
      {
        'schema.json': `${JSON.stringify(schema, null, 2)}\n`,
        'model.onnx': stamped,
        'model-card.md': card,
      },
      {
        force,
        verify: async (dir) => {
          io.err("loading the result with the server's loader");
          try {
            const model = await loadModel({ dir });
            const [prediction] = await model.run([model.compiled.example]);
            if (data) {
              io.err(`profiling ${data.rows.length} rows for drift monitoring`);
              const profile = await profileFromData(model, data).finally(() => model.release());
              await writeFile(join(dir, PROFILE_FILE), profileJson(profile));
              await (await loadModel({ dir })).release();
            } else {
              await model.release();
            }
            predicted =
              typeof prediction === 'object'
                ? `${show(prediction.label)} (${model.task.kind === 'classification' ? model.task.classes.map((c, i) => `${c}: ${prediction.probabilities[i]?.toFixed(3)}`).join(', ') : ''})`
                : String(prediction);
          } catch (error) {
            if (error instanceof ModelLoadError) {
              throw failure(
                `the server would refuse the result, nothing written: ${error.message}`,
              );
            }
            throw error;
          }
        },
      },
    );
    io.out(
      table([
        ['field', 'input', 'kind', 'values', 'example', 'inferred from'],
        ...fields.map((f) => [f.field, f.input, f.kind, f.values, f.example, f.from]),
      ]),
    );
    io.out('');
    io.out(
      `task: ${schema.task}${classes ? ` (classes: ${classes.map(show).join(', ')})` : ''}; target: ${schema.target.name}`,
    );
    io.out(`example prediction: ${predicted}`);
    io.out(
      `wrote ${out}: schema.json, model.onnx (fingerprint ${compiled.fingerprint.slice(0, 12)}…), model-card.md${data ? ', profile.json' : ''}`,
    );
    return 0;
  },
});
