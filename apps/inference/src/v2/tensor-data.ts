import type { AcceptedDatatype } from './datatypes.ts';

/** The result of reading a tensor's `data`: its elements in row-major order, or why not. */
export type TensorDataResult =
  | { readonly ok: true; readonly values: readonly unknown[] }
  | { readonly ok: false; readonly message: string };

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** Checks that `data` is nested exactly as `shape`, collecting the leaves in order. */
function collectNested(
  data: unknown,
  shape: readonly number[],
  depth: number,
  out: unknown[],
): string | undefined {
  if (depth === shape.length) {
    if (Array.isArray(data)) return `is nested deeper than its shape ${shapeText(shape)}`;
    out.push(data);
    return undefined;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    return `is nested differently from its shape ${shapeText(shape)}`;
  }
  for (const item of data) {
    const problem = collectNested(item, shape, depth + 1, out);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Reads tensor data given flat (row-major) or nested exactly as `shape`, as the protocol
 * allows, and checks that it holds as many elements as the shape says.
 *
 * @example
 * flattenTensorData([[40], [50]], [2, 1]); // { ok: true, values: [40, 50] }
 * flattenTensorData([40, 50, 60], [2, 1]); // { ok: false, message: 'shape [2,1] holds 2 ...' }
 */
export function flattenTensorData(
  data: readonly unknown[],
  shape: readonly number[],
): TensorDataResult {
  const expected = shape.reduce((product, size) => product * size, 1);
  if (!data.some(Array.isArray)) {
    if (data.length === expected) return { ok: true, values: data };
    return {
      ok: false,
      message: `shape ${shapeText(shape)} holds ${expected} element${expected === 1 ? '' : 's'} but data has ${data.length}`,
    };
  }
  const values: unknown[] = [];
  const problem = collectNested(data, shape, 0, values);
  return problem ? { ok: false, message: `data ${problem}` } : { ok: true, values };
}

/** The largest finite float32 value. */
const fp32Max = 3.4028234663852886e38;

/**
 * Checks that every element is a JSON value of `datatype`: strings for BYTES, numbers for FP32
 * (within float32 range) and FP64, integers for INT64. Returns the first problem, if any; for a
 * `sensitive` field it names the element and its type, never its value.
 */
export function checkElements(
  values: readonly unknown[],
  datatype: AcceptedDatatype,
  sensitive = false,
): string | undefined {
  const describe = (value: unknown) =>
    value === null
      ? 'null'
      : typeof value === 'string' && !sensitive
        ? JSON.stringify(value)
        : typeof value;
  const shown = (value: number) => (sensitive ? '' : ` (${value})`);
  for (const [index, value] of values.entries()) {
    const at = `element ${index}`;
    if (datatype === 'BYTES') {
      if (typeof value !== 'string') return `${at} is ${describe(value)}, not a BYTES string`;
      continue;
    }
    if (typeof value !== 'number') return `${at} is ${describe(value)}, not a ${datatype} number`;
    if (datatype === 'INT64' && !Number.isSafeInteger(value)) {
      return `${at}${shown(value)} is not an INT64 integer`;
    }
    if (datatype === 'FP32' && Math.abs(value) > fp32Max) {
      return `${at}${shown(value)} is outside the FP32 range`;
    }
  }
  return undefined;
}
