import type { ServedModel } from '../model/served-model.ts';
import type { Prediction, ServedTask } from '../model/task.ts';

/** A JSON Schema / OpenAPI Schema Object. */
export type SchemaObject = Record<string, unknown>;

/** Options of `buildOpenApiDocument`, shared by the parts of the document. */
export interface OpenApiOptions {
  readonly model: Pick<ServedModel, 'schema' | 'compiled' | 'identity' | 'outputs'> &
    Partial<Pick<ServedModel, 'task'>>;
  /** Most records per request (MAX_BATCH). */
  readonly maxBatch: number;
  /** Largest request body in bytes (BODY_LIMIT). */
  readonly bodyLimit: number;
  /**
   * The model's prediction for the schema's example record, shown in the response examples.
   * @default none: responses show no example value
   */
  readonly examplePrediction?: Prediction;
}

/** A reference to a component schema. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A reference to a component response. */
export const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** An `application/json` content map with a schema and optional named examples. */
export const json = (schema: SchemaObject, examples?: Record<string, unknown>) => ({
  'application/json': { schema, ...(examples ? { examples } : {}) },
});

/** A `text/html` content map. */
export const html = { 'text/html': { schema: { type: 'string' } } };

/** The `Retry-After` header of 503 answers. */
export const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};

/** The served model's task (a model described without one is a regression model). */
export const taskOf = (model: { readonly task?: ServedTask }): ServedTask =>
  model.task ?? { kind: 'regression' };
