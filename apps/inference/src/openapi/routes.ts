import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import type { Prediction } from '../model/task.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './document.ts';
import { withApiKeys } from './security.ts';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document generated from the served model's schema.
 * It is built on the first request once the model serves, so that its response examples
 * show the model's real prediction for the schema's example record (one predicted row).
 * With API keys, the keyed operations declare the key schemes and the 401 and 429 answers.
 */
export function openApiRoutes(
  deps: Pick<AppDeps, 'apiKeys' | 'config' | 'logger' | 'model' | 'predict' | 'readiness'>,
): Hono<AppEnv> {
  const { apiKeys, config, logger, model, predict, readiness } = deps;
  let cached: OpenApiDocument | undefined;

  const examplePrediction = async (): Promise<Prediction | undefined> => {
    if (!readiness.serving) return undefined;
    try {
      const [prediction] = await predict([model.compiled.example]);
      return prediction;
    } catch (error) {
      logger.warn({ error }, 'openapi: no example prediction (retried on the next request)');
      return undefined;
    }
  };

  const app = new Hono<AppEnv>();
  app.get('/openapi.json', async (c) => {
    if (!cached) {
      const prediction = await examplePrediction();
      const built = buildOpenApiDocument({
        model,
        maxBatch: config.MAX_BATCH,
        bodyLimit: config.BODY_LIMIT,
        ...(prediction === undefined ? {} : { examplePrediction: prediction }),
      });
      const document = apiKeys ? withApiKeys(built, config.API_KEYS_OPEN) : built;
      if (prediction === undefined) return c.json(document);
      cached = document;
    }
    return c.json(cached);
  });
  return app;
}
