// Request/response vectors written from the Open Inference Protocol REST specification
// (kserve/open-inference-protocol, inference_rest.md), against the insurance schema and a fake
// model whose prediction is age * 100 + bmi (+10000 for smokers).
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps, fakeInsurancePrediction, postJson, validRecord } from '../testing/fake-deps.ts';

function setup(options: Parameters<typeof fakeDeps>[0] = {}) {
  const { deps, lines } = fakeDeps(options);
  return { app: createApp(deps), deps, lines };
}

const infer = '/v2/models/insurance-charges/infer';

/** A valid two-row request, shape [2,1], flat data, as in the protocol's examples. */
function twoRows(id = '42') {
  return {
    id,
    inputs: [
      { name: 'age', shape: [2, 1], datatype: 'FP32', data: [40, 50] },
      { name: 'sex', shape: [2, 1], datatype: 'BYTES', data: ['female', 'male'] },
      { name: 'bmi', shape: [2, 1], datatype: 'FP32', data: [28.5, 31.25] },
      { name: 'children', shape: [2, 1], datatype: 'INT64', data: [1, 0] },
      { name: 'smoker', shape: [2, 1], datatype: 'BYTES', data: ['no', 'yes'] },
      { name: 'region', shape: [2, 1], datatype: 'BYTES', data: ['southeast', 'northwest'] },
    ],
    outputs: [{ name: 'charges' }],
  };
}

const rowsOf = [
  { age: 40, sex: 'female', bmi: 28.5, children: 1, smoker: 'no', region: 'southeast' },
  { age: 50, sex: 'male', bmi: 31.25, children: 0, smoker: 'yes', region: 'northwest' },
];

/** Replaces one input of {@link twoRows}. */
function withInput(name: string, input: Record<string, unknown>) {
  const body = twoRows();
  return {
    ...body,
    inputs: body.inputs.map((i) => (i.name === name ? { ...i, ...input } : i)),
  };
}

async function errorOf(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
  return body.error as string;
}

describe('server metadata and health', () => {
  it('GET /v2 names the server, its version and its (no) extensions', async () => {
    const { app } = setup();
    const res = await app.request('/v2');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'modelship', version: '0.1.0', extensions: [] });
  });

  it('live is 200 {"live": true} whatever the lifecycle state', async () => {
    const { app } = setup({ ready: false });
    const res = await app.request('/v2/health/live');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ live: true });
  });

  it('ready is 200 when ready and 503 while starting or draining', async () => {
    const { app, deps } = setup({ ready: false });
    const starting = await app.request('/v2/health/ready');
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ ready: false });
    deps.readiness.markReady();
    const ready = await app.request('/v2/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    deps.readiness.startDraining();
    expect((await app.request('/v2/health/ready')).status).toBe(503);
  });
});

describe('model metadata and readiness', () => {
  const expected = {
    name: 'insurance-charges',
    versions: ['1.0.0'],
    platform: 'onnx_onnxv1',
    inputs: [
      { name: 'age', datatype: 'FP32', shape: [-1, 1] },
      { name: 'sex', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'bmi', datatype: 'FP32', shape: [-1, 1] },
      { name: 'children', datatype: 'FP32', shape: [-1, 1] },
      { name: 'smoker', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'region', datatype: 'BYTES', shape: [-1, 1] },
    ],
    outputs: [{ name: 'charges', datatype: 'FP32', shape: [-1, 1] }],
    // How /explain explains the version, decided at load: none without a profile.
    parameters: {
      explain_method: 'none',
      explain_unavailable: expect.stringContaining('modelship profile'),
    },
  };

  it.each(['/v2/models/insurance-charges', '/v2/models/insurance-charges/versions/1.0.0'])(
    'GET %s describes the inputs (schema fields) and the output',
    async (path) => {
      const { app } = setup();
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(expected);
    },
  );

  it.each([
    ['/v2/models/other', 'Unknown model "other".'],
    ['/v2/models/other/ready', 'Unknown model "other".'],
    [
      '/v2/models/insurance-charges/versions/2.0.0',
      'Unknown version "2.0.0" of model "insurance-charges".',
    ],
    [
      '/v2/models/insurance-charges/versions/2.0.0/ready',
      'Unknown version "2.0.0" of model "insurance-charges".',
    ],
  ])('GET %s is 404 {"error"}', async (path, message) => {
    const { app } = setup();
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe(message);
  });

  it('model ready follows the lifecycle', async () => {
    const { app, deps } = setup({ ready: false });
    const path = '/v2/models/insurance-charges/versions/1.0.0/ready';
    const starting = await app.request(path);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ name: 'insurance-charges', ready: false });
    deps.readiness.markReady();
    const ready = await app.request(path);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ name: 'insurance-charges', ready: true });
  });
});

describe('POST /v2/models/{name}[/versions/{version}]/infer', () => {
  it.each([infer, '/v2/models/insurance-charges/versions/1.0.0/infer'])(
    '%s answers the protocol response with the id echoed',
    async (path) => {
      const { app } = setup();
      const res = await app.request(path, postJson(twoRows('42')));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        model_name: 'insurance-charges',
        model_version: '1.0.0',
        id: '42',
        outputs: [
          {
            name: 'charges',
            shape: [2, 1],
            datatype: 'FP32',
            data: rowsOf.map(fakeInsurancePrediction),
          },
        ],
      });
    },
  );

  it('accepts data nested to the shape, shape [N] and FP64/INT64 numbers', async () => {
    const { app } = setup();
    const body = twoRows();
    body.inputs[0] = { name: 'age', shape: [2, 1], datatype: 'INT64', data: [[40], [50]] as never };
    body.inputs[2] = { name: 'bmi', shape: [2], datatype: 'FP64', data: [28.5, 31.25] };
    const res = await app.request(infer, postJson(body));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { outputs: { data: number[] }[] };
    expect(json.outputs[0]?.data).toEqual(rowsOf.map(fakeInsurancePrediction));
  });

  it('returns every output when none is requested, and uses the request id without an id', async () => {
    const { app } = setup();
    const { id: _id, outputs: _outputs, ...body } = twoRows();
    const res = await app.request(infer, postJson(body, { 'X-Request-Id': 'req-7' }));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { id: string; outputs: { name: string }[] };
    expect(json.id).toBe('req-7');
    expect(json.outputs.map((o) => o.name)).toEqual(['charges']);
  });

  it('predicts one row given as shape [1] the same as /predict', async () => {
    const { app } = setup();
    const inputs = Object.entries(validRecord).map(([name, value]) => ({
      name,
      shape: [1],
      datatype: typeof value === 'string' ? 'BYTES' : 'FP64',
      data: [value],
    }));
    const res = await app.request(infer, postJson({ inputs }));
    const json = (await res.json()) as { outputs: { data: number[]; shape: number[] }[] };
    expect(json.outputs[0]).toMatchObject({
      shape: [1, 1],
      data: [fakeInsurancePrediction(validRecord)],
    });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a numeric input sent as BYTES',
      withInput('age', { datatype: 'BYTES', data: ['40', '50'] }),
      /input "age" has datatype BYTES; expected FP32, FP64, INT64/,
    ],
    [
      'a categorical input sent as FP32',
      withInput('sex', { datatype: 'FP32', data: [0, 1] }),
      /input "sex" has datatype FP32; expected BYTES/,
    ],
    [
      'a datatype this service does not take',
      withInput('age', { datatype: 'INT32' }),
      /input "age" has datatype INT32/,
    ],
    [
      'a datatype the protocol does not know',
      withInput('age', { datatype: 'FLOAT' }),
      /inputs\[0\]\.datatype: /,
    ],
    [
      'BYTES data that are not strings',
      withInput('sex', { data: [0, 1] }),
      /input "sex": element 0 is number, not a BYTES string/,
    ],
    [
      'FP32 data that are strings',
      withInput('bmi', { data: ['28.5', '31.25'] }),
      /input "bmi": element 0 is "28.5", not a FP32 number/,
    ],
    [
      'INT64 data that are not integers',
      withInput('children', { data: [1.5, 0] }),
      /input "children": element 0 \(1.5\) is not an INT64 integer/,
    ],
    [
      'more data than the shape holds',
      withInput('age', { data: [40, 50, 60] }),
      /input "age": shape \[2,1\] holds 2 elements but data has 3/,
    ],
    [
      'fewer data than the shape holds',
      withInput('age', { data: [40] }),
      /shape \[2,1\] holds 2 elements but data has 1/,
    ],
    [
      'data nested unlike the shape',
      withInput('age', { data: [[40, 50]] }),
      /input "age": data is nested differently from its shape \[2,1\]/,
    ],
    [
      'a shape that is not [N] or [N,1]',
      withInput('age', { shape: [1, 2] }),
      /input "age" has shape \[1,2\]; expected \[N\] or \[N,1\]/,
    ],
    ['a rank-3 shape', withInput('age', { shape: [2, 1, 1] }), /has shape \[2,1,1\]/],
    ['a negative dimension', withInput('age', { shape: [-1, 1] }), /inputs\[0\]\.shape\[0\]/],
    [
      'inputs with different row counts',
      withInput('age', { shape: [1, 1], data: [40] }),
      /inputs have different numbers of rows \(age: 1, sex: 2/,
    ],
    [
      'an unknown input',
      {
        inputs: [
          ...twoRows().inputs,
          { name: 'weight', shape: [2], datatype: 'FP32', data: [1, 2] },
        ],
      },
      /unknown input "weight"/,
    ],
    ['a missing input', { inputs: twoRows().inputs.slice(1) }, /missing input "age"/],
    [
      'an input given twice',
      { inputs: [...twoRows().inputs, twoRows().inputs[0]] },
      /input "age" is given more than once/,
    ],
    [
      'an unknown requested output',
      { ...twoRows(), outputs: [{ name: 'premium' }] },
      /unknown output "premium" \(outputs: charges\)/,
    ],
    ['no inputs', { inputs: [] }, /inputs: /],
    ['a body that is not an object', [1, 2], /body: /],
    ['a non-string id', { ...twoRows(), id: 42 }, /id: /],
    [
      'an out-of-range value',
      withInput('age', { data: [40, 12] }),
      /input "age" row 1: must be >= 18 \(got 12\)/,
    ],
    [
      'an unknown level',
      withInput('region', { data: ['southeast', 'mars'] }),
      /input "region" row 1: must be one of: northeast, northwest, southeast, southwest/,
    ],
    [
      'a fractional value for an integer field',
      withInput('age', { data: [40.5, 50] }),
      /input "age" row 0: must be an integer/,
    ],
  ])('rejects %s with 400 {"error"}', async (_what, body, message) => {
    const { app } = setup();
    const res = await app.request(infer, postJson(body));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(message);
  });

  it('reports every problem at once', async () => {
    const { app } = setup();
    const body = withInput('age', { datatype: 'BYTES', data: ['40', '50'] });
    body.inputs.push({ name: 'weight', shape: [2], datatype: 'FP32', data: [1, 2] });
    const message = await errorOf(await app.request(infer, postJson(body)));
    expect(message).toMatch(/input "age" has datatype BYTES/);
    expect(message).toMatch(/unknown input "weight"/);
  });

  it('refuses more rows than MAX_BATCH', async () => {
    const { app } = setup({ env: { MAX_BATCH: '1' } });
    const res = await app.request(infer, postJson(twoRows()));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatch(/input "age" has 2 rows; expected 1 to 1/);
  });

  it('answers malformed JSON with 400 and a non-JSON body with 415, as {"error"}', async () => {
    const { app } = setup();
    const malformed = await app.request(infer, postJson('{"inputs": ['));
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toBe('The request body is not valid JSON.');
    const text = await app.request(infer, {
      method: 'POST',
      body: 'x',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    await errorOf(text);
  });

  it('answers 404 for an unknown model or version before reading the body', async () => {
    const { app } = setup();
    const model = await app.request('/v2/models/other/infer', postJson('not json'));
    expect(model.status).toBe(404);
    expect(await errorOf(model)).toBe('Unknown model "other".');
    const version = await app.request(
      '/v2/models/insurance-charges/versions/9/infer',
      postJson(twoRows()),
    );
    expect(version.status).toBe(404);
  });

  it('answers 503 {"error"} with Retry-After while the model is not serving', async () => {
    const { app } = setup({ ready: false });
    const res = await app.request(infer, postJson(twoRows()));
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('1');
    expect(await errorOf(res)).toMatch(/not ready \(starting\)/);
  });

  it('answers a failed run with a generic 500 {"error"} and logs it under the request id', async () => {
    const { app, lines } = setup({
      run: async () => {
        throw new Error('onnxruntime exploded at 0xdeadbeef');
      },
    });
    const res = await app.request(infer, postJson(twoRows(), { 'X-Request-Id': 'boom-1' }));
    expect(res.status).toBe(500);
    const message = await errorOf(res);
    expect(message).not.toMatch(/deadbeef/);
    expect(lines.some((l) => l.requestId === 'boom-1' && l.severity === 'ERROR')).toBe(true);
  });

  it('counts requests under the route template and predicted rows in the metrics', async () => {
    const { app, deps } = setup();
    await app.request(infer, postJson(twoRows()));
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/v2\/models\/:name\/infer",status="200"\} 1/,
    );
    expect(text).toMatch(/inference_predicted_rows_total 2/);
  });
});
