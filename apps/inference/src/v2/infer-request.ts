import {
  type CompiledSchema,
  EXTRA_KEYS_ALLOWED,
  type FeatureRecord,
  type Field,
  type FieldIssue,
  MAX_LISTED_ISSUES,
} from '@modelship/feature-schema';
import { z } from 'zod';
import { ContractError } from '../errors.ts';
import { acceptedDatatypes, oipDatatypes } from './datatypes.ts';
import { checkElements, flattenTensorData } from './tensor-data.ts';

const parameters = z.record(z.string(), z.unknown());

/** One `$request_input`: a named tensor with its shape, datatype and data. */
const requestInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.enum(oipDatatypes),
  parameters: parameters.optional(),
  data: z.array(z.unknown()),
});

/** One `$request_output`: an output the client wants back. */
const requestOutputSchema = z.object({
  name: z.string().min(1),
  parameters: parameters.optional(),
});

/**
 * The envelope of an `$inference_request` (JSON); the same schema documents the request in the
 * OpenAPI document.
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md#inference-request-json-object
 */
export const inferenceRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(requestInputSchema).min(1),
  outputs: z.array(requestOutputSchema).optional(),
});

/** A request input as received (after the envelope check). */
export type RequestInput = z.infer<typeof requestInputSchema>;

/** A valid inference request, turned into the schema's records. */
export interface InferRequest {
  /** The client's `id`, if it sent one. */
  readonly id?: string;
  /** One validated record per row, in order. */
  readonly records: FeatureRecord[];
  /** The outputs to return (all of them when the request names none). */
  readonly outputs: readonly string[];
}

/** Options of {@link parseInferRequest}. */
export interface ParseInferRequestOptions {
  /** The model's compiled schema: its fields are the inputs. */
  readonly schema: Pick<CompiledSchema, 'schema' | 'validateMany'>;
  /** The names of the model's outputs (the target; a classifier's probabilities too). */
  readonly outputNames: readonly string[];
  /** Most rows in one request (MAX_BATCH). */
  readonly maxBatch: number;
}

/**
 * 400 with the problems in one message, as `{"error": "..."}`: at most `MAX_LISTED_ISSUES` of
 * them listed, all of them counted (`unlisted`: found, not listed).
 */
export class InferRequestError extends ContractError {
  constructor(problems: readonly string[], issues: readonly FieldIssue[] = [], unlisted = 0) {
    const listed = problems.slice(0, MAX_LISTED_ISSUES);
    const count = problems.length + unlisted;
    const intro =
      count > listed.length ? `${count} problems, the first ${listed.length} listed: ` : '';
    super('bad_request', `Invalid inference request: ${intro}${listed.join('; ')}.`, {
      issues: issues.slice(0, MAX_LISTED_ISSUES),
    });
  }
}

/** Most entries of a shape: a tensor of a tabular model is `[N]` or `[N,1]`. */
const MAX_SHAPE_LENGTH = 8;

/**
 * What makes a body too large to check element by element: more inputs or outputs than the
 * model has (beyond a margin), or a shape longer than any tensor's. One problem, or none.
 */
function oversized(body: unknown, inputs: number, outputs: number): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const request = body as Record<string, unknown>;
  const most = (list: unknown, count: number, what: string) =>
    Array.isArray(list) && list.length > count + EXTRA_KEYS_ALLOWED
      ? `${what}: more than ${count + EXTRA_KEYS_ALLOWED} ${what}; the model has ${count}`
      : undefined;
  const problem =
    most(request.inputs, inputs, 'inputs') ?? most(request.outputs, outputs, 'outputs');
  if (problem || !Array.isArray(request.inputs)) return problem;
  const long = request.inputs.findIndex(
    (input) =>
      Array.isArray((input as { shape?: unknown } | null)?.shape) &&
      (input as { shape: unknown[] }).shape.length > MAX_SHAPE_LENGTH,
  );
  return long < 0 ? undefined : `inputs[${long}].shape: more than ${MAX_SHAPE_LENGTH} dimensions`;
}

const zodPath = (path: readonly PropertyKey[]) =>
  path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');

/** The rows of one input, after its datatype, shape and data checks (or its problems). */
function readInput(input: RequestInput, field: Field, maxBatch: number) {
  const problems: string[] = [];
  const where = `input "${input.name}"`;
  const accepted = acceptedDatatypes(field);
  if (!(accepted as readonly string[]).includes(input.datatype)) {
    problems.push(
      `${where} has datatype ${input.datatype}; expected ${accepted.join(', ')} (field "${field.name}" is ${field.kind})`,
    );
  }
  const [rows, ...rest] = input.shape;
  if (rows === undefined || input.shape.length > 2 || rest.some((size) => size !== 1)) {
    problems.push(`${where} has shape [${input.shape.join(',')}]; expected [N] or [N,1]`);
    return { problems };
  }
  if (rows < 1 || rows > maxBatch) {
    problems.push(`${where} has ${rows} rows; expected 1 to ${maxBatch}`);
    return { problems };
  }
  const data = flattenTensorData(input.data, input.shape);
  if (!data.ok) {
    problems.push(`${where}: ${data.message}`);
    return { problems };
  }
  if (problems.length === 0) {
    const bad = checkElements(
      data.values,
      input.datatype as (typeof accepted)[number],
      field.sensitive === true,
    );
    if (bad) problems.push(`${where}: ${bad}`);
  }
  return { problems, rows, values: data.values };
}

/**
 * Validates an Open Inference Protocol inference request against the model's schema: every
 * field is one input (by name) with an accepted datatype (BYTES for categorical fields; FP32,
 * FP64 or INT64 for numeric ones), shape `[N]` or `[N,1]` with the same N everywhere, data flat
 * or nested; then every value goes through the schema's validation (ranges, levels, integers).
 *
 * @throws {InferRequestError} (400) naming every problem at once.
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
export function parseInferRequest(body: unknown, options: ParseInferRequestOptions): InferRequest {
  const { schema, outputNames, maxBatch } = options;
  const tooLarge = oversized(body, schema.schema.fields.length, outputNames.length);
  if (tooLarge) throw new InferRequestError([tooLarge]);
  const envelope = inferenceRequestSchema.safeParse(body);
  if (!envelope.success) {
    throw new InferRequestError(
      envelope.error.issues.map((issue) => `${zodPath(issue.path) || 'body'}: ${issue.message}`),
    );
  }
  const request = envelope.data;
  const fields = new Map(schema.schema.fields.map((f) => [f.name, f]));
  const problems: string[] = [];
  const columns = new Map<string, readonly unknown[]>();
  const rowCounts = new Map<string, number>();

  for (const input of request.inputs) {
    const field = fields.get(input.name);
    if (!field) {
      problems.push(`unknown input "${input.name}" (inputs: ${[...fields.keys()].join(', ')})`);
      continue;
    }
    if (columns.has(input.name) || rowCounts.has(input.name)) {
      problems.push(`input "${input.name}" is given more than once`);
      continue;
    }
    const read = readInput(input, field, maxBatch);
    problems.push(...read.problems);
    if (read.rows !== undefined) rowCounts.set(input.name, read.rows);
    if (read.values && read.problems.length === 0) columns.set(input.name, read.values);
  }
  const missing = [...fields.keys()].filter((name) => !request.inputs.some((i) => i.name === name));
  if (missing.length)
    problems.push(
      `missing input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  const counts = new Set(rowCounts.values());
  if (counts.size > 1) {
    const listed = [...rowCounts].map(([name, rows]) => `${name}: ${rows}`).join(', ');
    problems.push(`inputs have different numbers of rows (${listed})`);
  }
  for (const output of request.outputs ?? []) {
    if (!outputNames.includes(output.name)) {
      problems.push(`unknown output "${output.name}" (outputs: ${outputNames.join(', ')})`);
    }
  }
  if (problems.length) throw new InferRequestError(problems);

  const rows = [...counts][0] ?? 0;
  const raw = Array.from({ length: rows }, (_, row) =>
    Object.fromEntries([...columns].map(([name, values]) => [name, values[row]])),
  );
  const result = schema.validateMany(raw);
  if (!result.ok) {
    throw new InferRequestError(
      result.issues.map((issue) => describeIssue(issue.path, issue.message)),
      result.issues,
      result.unlisted,
    );
  }
  return {
    ...(request.id !== undefined ? { id: request.id } : {}),
    records: result.value,
    outputs: request.outputs?.length ? request.outputs.map((o) => o.name) : outputNames,
  };
}

/** `[3].age` + message → `input "age" row 3: message`. */
function describeIssue(path: string, message: string): string {
  const match = /^\[(\d+)\]\.(.+)$/.exec(path);
  return match ? `input "${match[2]}" row ${match[1]}: ${message}` : `${path}: ${message}`;
}
