import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { respondJson } from '../http/envelope.ts';
import { bodyLimits, jsonBodyReader } from '../http/json-body.ts';
import { assertServing } from '../http/lifecycle.ts';
import type { NativeRoute } from '../http/native-lane.ts';
import type { AnswerOfBody } from '../routes/predict.ts';
import { ModelNotFoundError, oipErrorBody, oipErrorHandler } from './errors.ts';
import { parseInferRequest } from './infer-request.ts';
import { modelMetadata } from './metadata.ts';
import { type OipOutput, oipOutputs } from './outputs.ts';
import { serverMetadata } from './server-info.ts';

/** The model routes exist with and without an explicit version. */
const modelPaths = ['/v2/models/:name', '/v2/models/:name/versions/:version'] as const;

type InferDeps = Pick<AppDeps, 'config' | 'model' | 'models' | 'predict' | 'monitoring'>;

/**
 * What the inference route (`POST /v2/models/{name}[/versions/{version}]/infer`) answers for a
 * parsed body once the path named this model, apart from the framework that carries it (Hono's
 * route below and the native lane): the requested outputs of every input row, with the served
 * version and the request's `id` (the request id when it has none).
 *
 * @throws {InferRequestError} (400) naming every problem of the request, invalid feature values
 * included.
 */
export function inferAnswer(deps: InferDeps): AnswerOfBody {
  const { config, model, models, predict } = deps;
  const { payload } = deps.monitoring;
  const { name } = model.identity;
  const outputs = new Map(oipOutputs(model).map((output) => [output.name, output]));
  const parseOptions = {
    schema: model.compiled,
    outputNames: [...outputs.keys()],
    maxBatch: config.MAX_BATCH,
  };
  return async (body, requestId) => {
    const served = models.current;
    const request = parseInferRequest(body, parseOptions);
    const predictions = await predict(request.records, served);
    payload.maybeLog(requestId, request.records, predictions);
    const answer = {
      model_name: name,
      model_version: served.ref.version,
      id: request.id ?? requestId,
      outputs: request.outputs.map((outputName) => {
        // parseInferRequest accepts only the names of these outputs
        const output = outputs.get(outputName) as OipOutput;
        return {
          name: outputName,
          shape: [predictions.length, ...output.innerShape],
          datatype: output.datatype,
          data: output.data(predictions),
        };
      }),
    };
    return { body: answer, headers: served.headers };
  };
}

/**
 * The inference route as the native lane serves it: `POST /v2/models/{name}/infer` for this
 * model's own name, answered by {@link inferAnswer}, errors in the protocol's body. The
 * versioned path, other names and everything the lane leaves stay with Hono's routes.
 */
export function inferLaneRoute(deps: InferDeps): NativeRoute {
  return {
    path: `/v2/models/${deps.model.identity.name}/infer`,
    template: `${modelPaths[0]}/infer`,
    answer: inferAnswer(deps),
    errorBody: (mapped) => oipErrorBody(mapped.toBody()),
  };
}

/**
 * The Open Inference Protocol (v2) REST API, as KServe, Triton and MLServer speak it:
 * server metadata and health, model metadata and readiness, and inference. Errors are
 * `{"error": "message"}`: 400 for a bad request, 404 for an unknown model or version,
 * 503 while not serving.
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
export function v2Routes(
  deps: Pick<
    AppDeps,
    'config' | 'logger' | 'model' | 'models' | 'predict' | 'readiness' | 'monitoring'
  >,
): Hono<AppEnv> {
  const { logger, model, models, readiness } = deps;
  const { name } = model.identity;
  const metadata = modelMetadata(model);
  const infer = inferAnswer(deps);
  const readBody = jsonBodyReader(bodyLimits(deps));

  const knownModel: MiddlewareHandler<AppEnv> = async (c, next) => {
    const requested = c.req.param('name');
    const requestedVersion = c.req.param('version');
    if (requested !== name) throw new ModelNotFoundError(requested ?? '');
    if (requestedVersion !== undefined && requestedVersion !== models.current.ref.version) {
      throw new ModelNotFoundError(requested, requestedVersion);
    }
    await next();
  };

  const app = new Hono<AppEnv>();
  app.onError(
    oipErrorHandler(logger, {
      onValidationFailure: (issues) => deps.monitoring.countValidationFailures(issues),
    }),
  );
  app.get('/v2', (c) => c.json(serverMetadata));
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) =>
    c.json({ ready: readiness.ready }, readiness.ready ? 200 : 503),
  );

  for (const path of modelPaths) {
    app.get(path, knownModel, (c) =>
      c.json({ ...metadata, versions: [models.current.ref.version] }),
    );
    app.get(`${path}/ready`, knownModel, (c) =>
      c.json({ name, ready: readiness.ready }, readiness.ready ? 200 : 503),
    );
    app.post(`${path}/infer`, knownModel, async (c) => {
      assertServing(readiness);
      const { body, headers } = await infer(await readBody(c), c.get('requestId'));
      return respondJson(c, body, 200, headers);
    });
  }
  return app;
}
