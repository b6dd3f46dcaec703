import { Readable } from 'node:stream';
import { OIP_INFER_PATH, oipRequest, validRecord } from '../testing/records.ts';

/** One malformed, hostile or oversized request. */
export interface BadRequest {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Built on demand, so the 10 MB bodies exist only while they are sent. */
  body(): string | Buffer | Readable | undefined;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;

const json = (name: string, value: unknown, path = '/predict'): BadRequest => ({
  name,
  method: 'POST',
  path,
  headers: JSON_TYPE,
  body: () => JSON.stringify(value),
});

const raw = (
  name: string,
  text: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
  path = '/predict',
): BadRequest => ({ name, method: 'POST', path, headers, body: () => text });

const field = (name: string, key: string, value: unknown, path = '/predict') =>
  json(name, { ...validRecord, [key]: value }, path);

const without = (key: string) => {
  const { [key]: _dropped, ...rest } = validRecord;
  return rest;
};

/** A valid single-row infer request with one input changed. */
const withInput = (name: string, change: Record<string, unknown>) => ({
  inputs: oipRequest([validRecord]).inputs.map((input) =>
    input.name === name ? { ...input, ...change } : input,
  ),
});

const nested = (depth: number, open: string, close: string) =>
  open.repeat(depth) + close.repeat(depth);

/** A body of `bytes` bytes: a JSON record padded with a long string field. */
const padded = (bytes: number) => {
  const head = `{"age":40,"pad":"`;
  return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
};

/** `bytes` bytes of JSON sent chunked (no Content-Length), 64 KiB at a time. */
const chunked = (bytes: number) => () => {
  const text = padded(bytes);
  let offset = 0;
  return new Readable({
    read() {
      const chunk = offset < text.length ? text.slice(offset, offset + 65_536) : null;
      offset += 65_536;
      this.push(chunk);
    },
  });
};

/**
 * The corpus: every request here must get a JSON 4xx, from nginx or from the service, and
 * none may hurt the pod. Grouped by what goes wrong: media type, JSON syntax, types and
 * ranges, categories, shape, hostile structure, size, routes and methods, requests nginx
 * itself rejects, and the same faults on /predict_api and the Open Inference Protocol route.
 */
export const badRequests: readonly BadRequest[] = [
  // Media type
  raw('no Content-Type', JSON.stringify(validRecord), {}),
  raw('text/plain', JSON.stringify(validRecord), { 'content-type': 'text/plain' }),
  raw('form-urlencoded to the JSON API', 'age=40&sex=female&bmi=28.5', {
    'content-type': 'application/x-www-form-urlencoded',
  }),
  raw('multipart', '--b\r\n\r\n{}\r\n--b--\r\n', {
    'content-type': 'multipart/form-data; boundary=b',
  }),
  raw('application/xml', '<record><age>40</age></record>', { 'content-type': 'application/xml' }),
  raw('text/json', JSON.stringify(validRecord), { 'content-type': 'text/json' }),
  raw('application/jsonp', JSON.stringify(validRecord), { 'content-type': 'application/jsonp' }),
  // JSON syntax
  raw('empty body', ''),
  raw('a lone brace', '{'),
  raw('truncated JSON', JSON.stringify(validRecord).slice(0, 25)),
  raw('trailing comma', '{"age":40,}'),
  raw('single quotes', "{'age': 40}"),
  raw('NaN literal', JSON.stringify(validRecord).replace('"bmi":28.5', '"bmi":NaN')),
  raw('Infinity literal', JSON.stringify(validRecord).replace('"bmi":28.5', '"bmi":Infinity')),
  raw('-Infinity literal', JSON.stringify(validRecord).replace('"bmi":28.5', '"bmi":-Infinity')),
  raw('comments', `/* hi */${JSON.stringify(validRecord)}`),
  raw('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
  raw('NUL byte', `{"age":40\u0000}`),
  raw('two documents', `${JSON.stringify(validRecord)}${JSON.stringify(validRecord)}`),
  raw('a bare word', 'hello'),
  raw('XML with a JSON Content-Type', '<record/>'),
  // Types and ranges
  field('age as a numeric string', 'age', '40'),
  field('age as a word', 'age', 'forty'),
  field('age as a boolean', 'age', true),
  field('age null', 'age', null),
  field('age in an array', 'age', [40]),
  field('age as an object', 'age', { value: 40 }),
  field('age fractional for an integer field', 'age', 40.5),
  field('age below the minimum', 'age', 17),
  field('age negative', 'age', -1),
  field('age 1e308', 'age', 1e308),
  raw('bmi 1e400 (overflows to Infinity)', JSON.stringify(validRecord).replace('28.5', '1e400')),
  field('bmi "NaN" as a string', 'bmi', 'NaN'),
  field('bmi above the maximum', 'bmi', 80.0001),
  field('children negative', 'children', -1),
  field('children fractional', 'children', 2.5),
  // Categories
  field('unknown sex', 'sex', 'other'),
  field('category in the wrong case', 'sex', 'Female'),
  field('unknown region', 'region', 'mars'),
  field('unknown smoker level', 'smoker', 'maybe'),
  field('smoker as a boolean', 'smoker', true),
  field('category with trailing space', 'region', 'southeast '),
  // Shape
  json('a missing field', without('region')),
  json('an empty object', {}),
  json('an empty array', []),
  json('a bare array of records', [validRecord]),
  json('null', null),
  json('a number', 42),
  json('a string', 'record'),
  json('empty instances', { instances: [] }),
  json('instances not an array', { instances: 'all' }),
  json('one bad row among good ones', { instances: [validRecord, { ...validRecord, age: 'x' }] }),
  json('more rows than MAX_BATCH', { instances: Array.from({ length: 1001 }, () => validRecord) }),
  // Hostile structure
  raw('100 000 nested arrays', nested(100_000, '[', ']')),
  raw('50 000 nested objects', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`),
  field('a 500 KB category string', 'sex', 'x'.repeat(500_000)),
  json('50 000 keys', Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))),
  raw('__proto__ carrying the fields', `{"__proto__":${JSON.stringify(validRecord)}}`),
  json('constructor.prototype', { constructor: { prototype: { age: 40 } } }),
  // Size: the limit is 1 MiB in nginx and in the service
  raw('just over 1 MiB', padded(MiB + 1)),
  raw('10 MB with Content-Length', padded(10 * MiB)),
  { ...raw('10 MB chunked', ''), body: chunked(10 * MiB) },
  raw('10 MB to /predict_api', padded(10 * MiB), JSON_TYPE, '/predict_api'),
  // Routes and methods
  { name: 'GET /predict', method: 'GET', path: '/predict', headers: {}, body: () => undefined },
  { ...json('PUT /predict', validRecord), method: 'PUT' },
  { ...json('DELETE /predict', validRecord), method: 'DELETE' },
  json('an unknown route', validRecord, '/admin'),
  json('a dot-dot path', validRecord, '/predict/../../etc/passwd'),
  json('a 20 KB URL', validRecord, `/predict?${'q'.repeat(20_000)}`),
  {
    ...json('a 40 KB header', validRecord),
    headers: { ...JSON_TYPE, 'x-big': 'h'.repeat(40_000) },
  },
  json('an encoded NUL in the path', validRecord, '/predict%00'),
  // The bare-number API validates the same way
  raw('/predict_api: malformed JSON', '{"age":', JSON_TYPE, '/predict_api'),
  field('/predict_api: wrong type', 'bmi', 'heavy', '/predict_api'),
  field('/predict_api: unknown category', 'region', 'atlantis', '/predict_api'),
  raw('/predict_api: no Content-Type', JSON.stringify(validRecord), {}, '/predict_api'),
  // The Open Inference Protocol infer route
  raw('infer: malformed JSON', '{"inputs": [', JSON_TYPE, OIP_INFER_PATH),
  json('infer: no inputs', { inputs: [] }, OIP_INFER_PATH),
  json('infer: unknown datatype', withInput('age', { datatype: 'FP128' }), OIP_INFER_PATH),
  json('infer: shape and data disagree', withInput('age', { shape: [2, 1] }), OIP_INFER_PATH),
  json('infer: unknown category', withInput('region', { data: ['mars'] }), OIP_INFER_PATH),
  json(
    'infer: a missing input',
    { inputs: oipRequest([validRecord]).inputs.slice(1) },
    OIP_INFER_PATH,
  ),
  json('infer: an unknown model', oipRequest([validRecord]), '/v2/models/nope/infer'),
  raw('infer: text/plain', JSON.stringify(oipRequest([validRecord])), {}, OIP_INFER_PATH),
];
