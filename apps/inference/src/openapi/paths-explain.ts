import {
  json,
  type OpenApiOptions,
  ref,
  responseRef,
  type SchemaObject,
  taskOf,
} from './helpers.ts';

const number = { type: 'number' } as const;

/** `POST /explain`: the same bodies as `/predict`; per-field contributions back. */
export function explainPaths(options: OpenApiOptions) {
  const { model } = options;
  const task = taskOf(model);
  const fields = model.compiled.schema.fields.map((f) => f.name);
  const perField: SchemaObject = {
    type: 'object',
    description: 'One contribution per field (a categorical field is one), in the schema’s order.',
    properties: Object.fromEntries(fields.map((f) => [f, number])),
  };
  const classifier = task.kind === 'classification';
  const perClass = (schema: SchemaObject, description: string): SchemaObject =>
    classifier
      ? {
          type: 'object',
          description: `${description} One per class.`,
          properties: Object.fromEntries(task.classes.map((c) => [String(c), schema])),
        }
      : { ...schema, description };
  const explanation: SchemaObject = {
    type: 'object',
    required: ['prediction', 'baseline', 'contributions', 'output'],
    properties: {
      prediction: ref('PredictedValue'),
      ...(classifier ? { probabilities: ref('ClassProbabilities') } : {}),
      baseline: perClass(number, 'The mean output over the background rows.'),
      contributions: perClass(perField, 'Interventional Shapley values of the fields.'),
      output: perClass(number, 'baseline + Σ contributions: the model’s output in `space`.'),
      standardErrors: perClass(perField, '`sampling` only: each contribution’s standard error.'),
    },
  };
  const about = {
    method: {
      type: 'string',
      enum: ['additive', 'tree-shap', 'exact', 'sampling'],
      description:
        'additive: closed form of a linear graph of per-field terms; tree-shap: interventional TreeSHAP from the ensemble’s nodes; exact: every coalition of fields against every background row; sampling: antithetic permutation sampling (standard errors given).',
    },
    space: {
      type: 'string',
      enum: ['value', 'margin', 'probability'],
      description:
        'What the contributions add up to: the regression value, a classifier’s raw score before its LOGISTIC/SOFTMAX (margin), or its probability.',
    },
    backgroundRows: { type: 'integer', description: 'The profile.json rows explained against.' },
    model: ref('ModelRef'),
  };
  const single: SchemaObject = {
    ...explanation,
    required: [...(explanation.required as string[]), 'method', 'space', 'model'],
    properties: { ...(explanation.properties as object), ...about },
  };
  const batch: SchemaObject = {
    type: 'object',
    required: ['explanations', 'method', 'space', 'model'],
    properties: { explanations: { type: 'array', items: explanation }, ...about },
  };
  return {
    '/explain': {
      post: {
        tags: ['Prediction'],
        summary: 'Explain one record or a batch: each field’s contribution to the prediction',
        description:
          'Computed against the background rows of the model directory’s profile.json (`modelship profile DIR --data CSV`); its own body and batch limits (EXPLAIN_BODY_LIMIT, EXPLAIN_MAX_BATCH).',
        operationId: 'explain',
        requestBody: {
          required: true,
          content: json(
            { oneOf: [ref('FeatureRecord'), ref('BatchRequest')] },
            {
              single: { summary: 'One record', value: model.compiled.example },
            },
          ),
        },
        responses: {
          '200': {
            description: 'The explanation (one record), or the explanations in input order.',
            content: json({ oneOf: [single, batch] }),
          },
          '400': responseRef('MalformedJson'),
          '409': {
            description:
              'The model directory has no background rows (no profile.json, or one written with --background-rows 0).',
            content: json(ref('Error')),
          },
          '413': responseRef('PayloadTooLarge'),
          '415': responseRef('UnsupportedMediaType'),
          '422': responseRef('ValidationFailed'),
          '500': responseRef('Internal'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}
