import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { compileSchema, FINGERPRINT_METADATA_KEY } from '@modelship/feature-schema';
import { loadModel, ModelLoadError, PROFILE_FILE, writeOnnxMetadata } from '@modelship/inference';
import { defineCommand } from '../args.ts';
import { failure } from '../errors.ts';
import { checkColumns, type DataTable, readDataTable } from '../infer/data.ts';
import { selfContained } from '../infer/external-data.ts';
import { describeGraph } from '../infer/graph.ts';
import { fieldName, inferSchema } from '../infer/schema.ts';
import { resolvePath, table } from '../io.ts';
import { modelCardStub } from '../model-card.ts';
import {
  backgroundNotice,
  backgroundRowsFlag,
  profileFromData,
  profileJson,
} from '../profile-data.ts';
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
    features: {
      type: 'string',
      value: 'A,B,C',
      help: "an [N, F] input's columns, in the model's order (default: the data's columns besides --target, in file order)",
    },
    task: {
      type: 'string',
      value: 'TASK',
      choices: ['classification', 'regression'],
      help: 'what the model predicts (default: read from its outputs)',
    },
    classes: {
      type: 'string',
      value: 'A,B,C',
      help: "the class labels in probability-column order, or names for integer labels (default: the graph's, else the target column's distinct values, sorted)",
    },
    name: { type: 'string', value: 'NAME', help: "the model's name (default: the file name)" },
    version: { type: 'string', value: 'V', default: '1.0.0', help: "the model's version" },
    'background-rows': { ...backgroundRowsFlag, needs: 'data' },
    force: { type: 'boolean', help: 'replace DIR if it exists' },
  },
  description: `Writes a model directory the server accepts: schema.json inferred from the graph (one field
per [N, 1] input, categorical levels from OneHotEncoder/LabelEncoder/CategoryMapper nodes; or
one numeric field per column of an [N, F] input, named as the data's columns; the task and
classes from the outputs, else from the target column), refined by training data; model.onnx
with the schema's fingerprint stamped and the weights of a side file (model.onnx.data) inside
it; a model card stub; with --data, profile.json (the data's shape and the model's
predictions on it, for drift monitoring, and a sample of its rows as the background of
/explain). It then loads the directory with the server's own loader and predicts the schema's
example.`,
  examples: [
    'modelship init churn.onnx --data train.csv --target churn --out models/churn',
    'modelship init mlp.onnx --data train.csv --target target --classes malignant,benign --out models/mlp',
  ],
  async run({ positionals: [modelArg], values }, io) {
    const { target, data: dataArg, force } = values;
    const split = (flag: string | undefined) => flag?.split(',').map((v) => v.trim());
    const features = split(values.features);
    const classFlag = split(values.classes);
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
    const model = await selfContained(modelPath, bytes);
    if (model.inlined.length) {
      io.err(`weights of ${model.inlined.join(', ')} stored inside model.onnx (self-contained)`);
    }
    const graph = await describeGraph(modelPath, model.bytes, {
      modelDir: dirname(modelPath),
      columnsNamed: dataArg !== undefined || features !== undefined,
    });
    let data: DataTable | undefined;
    if (dataArg !== undefined) {
      data = await readDataTable(resolvePath(io, dataArg));
      checkColumns(
        data,
        graph.matrix ? (features ?? []) : graph.inputs.map((i) => fieldName(i.name, data)),
        target,
      );
      io.err(`reading ${data.path}: ${data.rows.length} rows`);
    }
    if (graph.batch !== undefined) {
      io.err(
        `the model's batch dimension is fixed at ${graph.batch}: the server runs batches in chunks of ${graph.batch}`,
      );
    }
    const { schema, fields, classes } = inferSchema({
      graph,
      ...(data ? { data } : {}),
      ...(target !== undefined ? { target } : {}),
      ...(features ? { features } : {}),
      ...(values.task ? { task: values.task } : {}),
      ...(classFlag ? { classes: classFlag } : {}),
      name: values.name ?? defaultName(modelPath),
      version: values.version,
      source: basename(modelPath),
    });
    const compiled = compileSchema(schema);
    const stamped = writeOnnxMetadata(model.bytes, {
      [FINGERPRINT_METADATA_KEY]: compiled.fingerprint,
      'modelship.model_name': schema.model.name,
      'modelship.model_version': schema.model.version,
    });
    const card = modelCardStub(schema, {
      source: basename(modelPath),
      sourceSha256: createHash('sha256').update(bytes).digest('hex'),
      ...(data ? { data: basename(data.path) } : {}),
      ...(data ? { backgroundRows: Math.min(values['background-rows'], data.rows.length) } : {}),
      ...(classes ? { classes } : {}),
    });
    let predicted = '';
    await writeDirAtomically(
      out,
      {
        'schema.json': `${JSON.stringify(schema, null, 2)}\n`,
        'model.onnx': stamped,
        ...model.sideFiles,
        'model-card.md': card,
      },
      {
        force,
        verify: async (dir) => {
          io.err("loading the result with the server's loader");
          try {
            const served = await loadModel({ dir });
            const [prediction] = await served.run([served.compiled.example]);
            if (data) {
              io.err(`profiling ${data.rows.length} rows for drift monitoring`);
              io.err(backgroundNotice(Math.min(values['background-rows'], data.rows.length)));
              const profile = await profileFromData(
                served,
                data,
                values['background-rows'],
              ).finally(() => served.release());
              await writeFile(join(dir, PROFILE_FILE), profileJson(profile));
              await (await loadModel({ dir })).release();
            } else {
              await served.release();
            }
            predicted =
              typeof prediction === 'object'
                ? `${show(prediction.label)} (${served.task.kind === 'classification' ? served.task.classes.map((c, i) => `${c}: ${prediction.probabilities[i]?.toFixed(3)}`).join(', ') : ''})`
                : String(prediction);
          } catch (error) {
            if (error instanceof ModelLoadError) {
              // A label output of class indices (0..C-1) beside a target of other values.
              const hint = / is not one of its classes /.test(error.message)
                ? ': if the model answers class indices, give --classes with one label per probability column, in column order'
                : '';
              throw failure(
                `the server would refuse the result, nothing written: ${error.message}${hint}`,
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
    const side = Object.keys(model.sideFiles);
    io.out(
      `wrote ${out}: schema.json, model.onnx (fingerprint ${compiled.fingerprint.slice(0, 12)}…)${side.length ? `, ${side.join(', ')}` : ''}, model-card.md${data ? ', profile.json' : ''}`,
    );
    return 0;
  },
});
