import {
  coerceFormValues,
  type FeatureRecord,
  type FieldIssue,
  maxRecordKeys,
} from '@modelship/feature-schema';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps, AppEnv } from '../deps.ts';
import { ContractError, HttpError, PayloadTooLargeError } from '../errors.ts';
import type { Prediction, ServedTask } from '../model/task.ts';
import { probabilitiesOf } from '../predict/present.ts';
import type { LiveModel } from '../reload/live-model.ts';
import { MODEL_VERSION_HEADER } from '../reload/live-model.ts';
import { type FormAssets, loadFormAssets } from './assets.ts';
import { htmlContentSecurityPolicy } from './csp.ts';
import type { FormExplanation } from './explanation-chart.ts';
import { readFormFields } from './form-body.ts';
import { type FormOutcome, renderFormPage } from './page.ts';

/** Options of {@link formRoutes}. */
export interface FormRoutesOptions {
  /** The stylesheet and script. @default loadFormAssets() (read once per process) */
  readonly assets?: FormAssets;
}

let defaultAssets: FormAssets | undefined;

/** The bundled stylesheet and script, read on first use and shared by every app. */
function bundledAssets(): FormAssets {
  if (!defaultAssets) defaultAssets = loadFormAssets();
  return defaultAssets;
}

const formMediaType = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

/** What the page shows for a prediction: the number, or the class and its probabilities. */
function outcomeOf(task: ServedTask, prediction: Prediction): FormOutcome {
  if (typeof prediction === 'number') return { kind: 'prediction', value: prediction };
  const probabilities = Object.entries(probabilitiesOf(task, prediction));
  return {
    kind: 'class',
    label: prediction.label,
    probabilities: probabilities.map(([label, p]) => ({ label, p })),
  };
}

/**
 * The chart of a record's explanation (a classifier's: of its predicted class), or undefined
 * when the model has no background rows.
 */
async function formExplanation(
  version: LiveModel,
  record: FeatureRecord,
  prediction: Prediction | undefined,
): Promise<FormExplanation | undefined> {
  if ((await version.explainer?.ready)?.status !== 'ready') return undefined;
  const served = version.model;
  const {
    explainer,
    explanations: [e],
  } = await version.explain([record]);
  if (!e) return undefined;
  let k = 0;
  let of: string | undefined;
  if (served.task.kind === 'classification') {
    const label = typeof prediction === 'object' ? prediction.label : undefined;
    k = Math.max(0, served.task.classes.indexOf(label as string | number));
    of = String(served.task.classes[k]);
  }
  const labels = served.compiled.form.fields.map((f) => f.label);
  return {
    method: explainer.method,
    space: explainer.space,
    ...(of === undefined ? {} : { of }),
    baseline: e.baseline[k] as number,
    output: e.output[k] as number,
    rows: (e.contributions[k] ?? []).map((value, i) => ({ label: labels[i] ?? '', value })),
  };
}

/**
 * The web form, generated from the schema's form description.
 * - `GET /`: the form, filled with the schema's example record;
 * - `POST /` (a plain form post, no JavaScript needed): the same page with the values kept
 *   (but never a `sensitive` field's: that input is shown empty) and
 *   either the prediction (200; a classifier's class with a bar per class probability; with
 *   background rows, a bar chart of each field's contribution) or a message next to each
 *   invalid field (422); 503 with a
 *   notice while the model is not serving or the queue is full;
 * - `GET /static/form.<hash>.css|js`: the stylesheet and the script, which submits the form to
 *   `/predict` with `fetch` and shows the result in place.
 * Pages carry a strict Content-Security-Policy (same-origin files only, nothing inline).
 */
export function formRoutes(
  deps: Pick<AppDeps, 'config' | 'model' | 'models' | 'predict' | 'readiness' | 'monitoring'>,
  options: FormRoutesOptions = {},
): Hono<AppEnv> {
  const { config, model, models, predict, readiness, monitoring } = deps;
  const assets = options.assets ?? bundledAssets();
  const { form } = model.compiled;
  const fieldNames = new Set(form.fields.map((f) => f.name));
  const maxFields = maxRecordKeys(model.schema);
  const sensitive = new Set(model.schema.fields.filter((f) => f.sensitive).map((f) => f.name));
  // What a posted page shows again: the values as typed, but never a sensitive field's.
  const shown = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).filter(([name]) => !sensitive.has(name)));
  const examples = Object.fromEntries(form.fields.map((f) => [f.name, String(f.example)]));

  const page = (
    c: Context<AppEnv>,
    values: Record<string, string>,
    status: ContentfulStatusCode,
    extra: { issues?: readonly FieldIssue[]; outcome?: FormOutcome } = {},
  ) => {
    c.header('Content-Security-Policy', htmlContentSecurityPolicy);
    c.header('Cache-Control', 'no-store');
    const body = renderFormPage({
      form,
      model: models.current.ref,
      values,
      assets: { css: assets.css.path, js: assets.js.path },
      ...extra,
    });
    return c.html(body, status);
  };

  const app = new Hono<AppEnv>();
  app.get('/', (c) => page(c, examples, 200));

  app.post(
    '/',
    bodyLimit({
      maxSize: config.BODY_LIMIT,
      onError: () => {
        throw new PayloadTooLargeError(config.BODY_LIMIT);
      },
    }),
    async (c) => {
      const contentType = c.req.header('content-type');
      if (!contentType || !formMediaType.test(contentType)) {
        throw new ContractError(
          'unsupported_media_type',
          'Expected Content-Type application/x-www-form-urlencoded or multipart/form-data.',
        );
      }
      const values = await readFormFields(c, contentType, fieldNames, maxFields);
      const result = model.compiled.validate(coerceFormValues(model.schema, values));
      if (!result.ok) {
        monitoring.countValidationFailures(result.issues);
        return page(c, shown(values), 422, { issues: result.issues });
      }
      if (!readiness.serving) {
        c.header('Retry-After', '1');
        const message = 'The model is not ready yet. Please try again in a moment.';
        return page(c, shown(values), 503, { outcome: { kind: 'notice', message } });
      }
      let prediction: Prediction | undefined;
      let explanation: FormExplanation | undefined;
      try {
        const records = [result.value as FeatureRecord];
        const version = models.current;
        c.header(MODEL_VERSION_HEADER, version.ref.version);
        const predictions = await predict(records, version);
        monitoring.payload.maybeLog({
          requestId: c.get('requestId'),
          model: version.ref,
          records,
          predictions,
          client: c.get('client'),
        });
        [prediction] = predictions;
        explanation = await formExplanation(version, records[0] as FeatureRecord, prediction);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 503) throw error;
        for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
        return page(c, shown(values), 503, {
          outcome: { kind: 'notice', message: error.message },
        });
      }
      const outcome = outcomeOf(model.task, prediction as Prediction);
      return page(c, shown(values), 200, {
        outcome: explanation && outcome.kind !== 'notice' ? { ...outcome, explanation } : outcome,
      });
    },
  );

  for (const asset of [assets.css, assets.js]) {
    app.get(asset.path, (c) =>
      c.body(asset.body, 200, {
        'Content-Type': asset.contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
      }),
    );
  }
  return app;
}
