import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { explainSummary } from '../explain/explanations.ts';
import type { AnswerOfBody, PredictionRoute } from '../routes/prediction-route.ts';
import { ModelNotFoundError, oipErrorHandler, oipErrorOf } from './errors.ts';
import { parseInferRequest } from './infer-request.ts';
import { explainParameters, modelMetadata } from './metadata.ts';
import { type OipOutput, oipOutputs } from './outputs.ts';
import { serverMetadata } from './server-info.ts';

/** The model routes exist with and without an explicit version. */
const modelPaths = ['/v2/models/:name', '/v2/models/:name/versions/:version'] as const;

type InferDeps = Pick<AppDeps, 'config' | 'model' | 'models' | 'predict' | 'monitoring'>;

/** Refuses (404) a path that names another model, or another version than the served one. */
function knownModel(deps: Pick<AppDeps, 'model' | 'models'>) {
  const { name } = deps.model.identity;
  return (param: (name: string) => string | undefined): void => {
    const requested = param('name');
    const requestedVersion = param('version');
    if (requested !== name) throw new ModelNotFoundError(requested ?? '');
    if (requestedVersion !== undefined && requestedVersion !== deps.models.current.ref.version) {
      throw new ModelNotFoundError(requested, requestedVersion);
    }
  };
}

/**
 * What the inference route (`POST /v2/models/{name}[/versions/{version}]/infer`) answers for a
 * parsed body once the path named this model: the requested outputs of every input row, with
 * the served version and the request's `id` (the request id when it has none).
 *
 * @throws {InferRequestError} (400) naming every problem of the request, invalid feature values
 * included.
 */
function inferAnswer(deps: InferDeps): AnswerOfBody {
  const { config, model, models, predict } = deps;
  const { payload } = deps.monitoring;
  const { name } = model.identity;
  const outputs = new Map(oipOutputs(model).map((output) => [output.name, output]));
  const parseOptions = {
    schema: model.compiled,
    outputNames: [...outputs.keys()],
    maxBatch: config.MAX_BATCH,
  };
  return async (body, requestId, client) => {
    const served = models.current;
    const request = parseInferRequest(body, parseOptions);
    const predictions = await predict(request.records, served);
    payload.maybeLog({
      requestId,
      model: served.ref,
      records: request.records,
      predictions,
      client,
    });
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
 * The inference routes, with and without a version, answered by {@link inferAnswer} with errors
 * in the protocol's body; the lane takes the unversioned one for this model's own name.
 */
export function inferRoutes(deps: InferDeps): readonly PredictionRoute[] {
  const answer = inferAnswer(deps);
  const checkPath = knownModel(deps);
  const [unversioned, versioned] = modelPaths;
  const lanePath = `/v2/models/${deps.model.identity.name}/infer`;
  return [
    { path: `${unversioned}/infer`, lanePath, checkPath, answer, errorBody: oipErrorOf },
    { path: `${versioned}/infer`, checkPath, answer, errorBody: oipErrorOf },
  ];
}

/**
 * The Open Inference Protocol (v2) REST API, as KServe, Triton and MLServer speak it: server
 * metadata and health, model metadata and readiness; inference is {@link inferRoutes}. Errors
 * are `{"error": "message"}`: 400 for a bad request, 404 for an unknown model or version, 503
 * while not serving.
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
export function v2Routes(
  deps: Pick<AppDeps, 'logger' | 'model' | 'models' | 'readiness' | 'monitoring'>,
): Hono<AppEnv> {
  const { logger, model, models, readiness } = deps;
  const { name } = model.identity;
  const metadata = modelMetadata(model);
  const checkPath = knownModel(deps);
  const known: MiddlewareHandler<AppEnv> = async (c, next) => {
    checkPath((param) => c.req.param(param));
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
    app.get(path, known, (c) => {
      const version = models.current;
      return c.json({
        ...metadata,
        versions: [version.ref.version],
        parameters: explainParameters(explainSummary(version.explainer)),
      });
    });
    app.get(`${path}/ready`, known, (c) =>
      c.json({ name, ready: readiness.ready }, readiness.ready ? 200 : 503),
    );
  }
  return app;
}
