import { join } from 'node:path';
import { loadModel, ModelLoadError, PROFILE_FILE } from '@modelship/inference';
import { defineCommand } from '../args.ts';
import { failure } from '../errors.ts';
import { readDataTable } from '../infer/data.ts';
import { resolvePath } from '../io.ts';
import {
  backgroundNotice,
  backgroundRowsFlag,
  profileFromData,
  profileJson,
} from '../profile-data.ts';
import { replaceFile } from '../write-dir.ts';

/** `modelship profile`. */
export const profileCommand = defineCommand({
  name: 'profile',
  summary: "add or refresh profile.json (drift monitoring's training profile)",
  args: ['DIR'],
  flags: {
    data: {
      type: 'string',
      value: 'CSV',
      required: true,
      help: "the training data, with a header row naming the schema's fields",
    },
    'background-rows': backgroundRowsFlag,
  },
  description: `Adds (or refreshes) DIR/profile.json: the training data's shape that the server compares live
traffic with (drift monitoring: PSI per field and for the predictions, on /metrics and the
/monitoring page). Per numeric field its deciles as bin edges and the share of rows per bin,
per categorical field the share of each level, and the model's predictions on those rows
(value bins, or class shares); and a deterministic sample of the rows themselves, the background
that /explain computes contributions against (training data that ships with the model). The
profile is outside the fingerprint: no re-stamping.`,
  examples: ['modelship profile models/churn --data train.csv'],
  async run({ positionals: [dirArg], values }, io) {
    const dir = resolvePath(io, dirArg);
    const table = await readDataTable(resolvePath(io, values.data));
    io.err(`reading ${table.path}: ${table.rows.length} rows`);
    let model: Awaited<ReturnType<typeof loadModel>>;
    try {
      // Whatever profile is there is about to be replaced: do not read it.
      model = await loadModel({ dir, readProfile: false });
    } catch (error) {
      if (error instanceof ModelLoadError)
        throw failure(`the server refuses ${dir}: ${error.message}`);
      throw error;
    }
    try {
      io.err(`predicting ${table.rows.length} rows`);
      io.err(backgroundNotice(Math.min(values['background-rows'], table.rows.length)));
      const profile = await profileFromData(model, table, values['background-rows']);
      const path = join(dir, PROFILE_FILE);
      await replaceFile(path, new TextEncoder().encode(profileJson(profile)));
      const check = await loadModel({ dir });
      await check.release();
      io.out(
        `wrote ${path}: ${profile.rows} rows, ${Object.keys(profile.fields).length} fields, prediction ${profile.prediction.kind === 'numeric' ? `${profile.prediction.shares.length} bins` : `${profile.prediction.classes.length} classes`}, ${profile.background?.length ?? 0} background rows`,
      );
    } finally {
      await model.release();
    }
    return 0;
  },
});
