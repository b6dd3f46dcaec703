import type { Context } from 'hono';
import type { AppEnv } from '../deps.ts';
import { ContractError } from '../errors.ts';

/** 413: a form of far more fields than the model has. */
export class TooManyFormFieldsError extends ContractError {
  constructor(maxFields: number, modelFields: number) {
    super(
      'payload_too_large',
      `The form has more than ${maxFields} fields; this model has ${modelFields}.`,
    );
  }
}

/** Occurrences of `part` in `data`, counting at most `limit + 1`. */
function occurrences(data: Buffer, part: string, limit: number): number {
  let count = 0;
  for (let at = data.indexOf(part); at >= 0 && count <= limit; at = data.indexOf(part, at + 1)) {
    count++;
  }
  return count;
}

/**
 * The string values of the fields in `names`, from a urlencoded or multipart form body of at
 * most `maxFields` fields: the fields are counted in the raw body (separators, or boundaries)
 * before any is decoded, so that a form of many fields costs a scan, not a parse.
 *
 * @throws {TooManyFormFieldsError} (413) past `maxFields`.
 */
export async function readFormFields(
  c: Context<AppEnv>,
  contentType: string,
  names: ReadonlySet<string>,
  maxFields: number,
): Promise<Record<string, string>> {
  const data = Buffer.from(await c.req.arrayBuffer());
  const boundary = /;\s*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const multipart = /^multipart\//i.test(contentType);
  const fields = multipart
    ? occurrences(data, `--${boundary}`, maxFields + 1) - 1
    : occurrences(data, '&', maxFields) + 1;
  if (fields > maxFields) throw new TooManyFormFieldsError(maxFields, names.size);
  const entries = multipart
    ? await new Response(data, { headers: { 'content-type': contentType } }).formData()
    : new URLSearchParams(data.toString('utf8'));
  const values: Record<string, string> = {};
  // Only the schema's fields (a browser extension may add others); files are not values.
  for (const [key, value] of entries) {
    if (names.has(key) && typeof value === 'string') values[key] = value;
  }
  return values;
}
