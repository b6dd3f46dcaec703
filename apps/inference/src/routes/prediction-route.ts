import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import type { HttpError } from '../errors.ts';
import { respondJson } from '../http/envelope.ts';
import { type ErrorMappingOptions, errorHandler } from '../http/error-handler.ts';
import { bodyLimits, jsonBodyReader } from '../http/json-body.ts';
import { assertServing } from '../http/lifecycle.ts';

/** A prediction route's answer: the JSON body and the headers of the model version. */
export interface PredictionAnswer {
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What a prediction route answers for a parsed body, the request's id and its API key's client
 * (undefined without keys). A refusal may be thrown at once or be the promise's rejection.
 */
export type AnswerOfBody = (
  body: unknown,
  requestId: string,
  client?: string,
) => Promise<PredictionAnswer>;

/**
 * A `POST` route with a JSON body that answers a prediction. Hono serves every one
 * ({@link predictionApp}); the fast lane (`src/http/fast/`) serves, from the same entry, those
 * with a fixed request target.
 */
export interface PredictionRoute {
  /** Hono's path; also the route label of the metrics and the log line. */
  readonly path: string;
  /** The request target the lane answers. @default `path` if it has no parameter, else none */
  readonly lanePath?: string;
  /** Checks the path's parameters before the body is read; throws an HttpError to refuse. */
  readonly checkPath?: (param: (name: string) => string | undefined) => void;
  /** The answer to a parsed body; throws an HttpError to refuse. */
  readonly answer: AnswerOfBody;
  /** Largest accepted body in bytes. @default BODY_LIMIT */
  readonly maxBytes?: number;
  /** The body of a refusal. @default the service's error body */
  readonly errorBody?: (mapped: HttpError) => unknown;
}

/** The request target the lane answers for `route`, or undefined if only Hono serves it. */
export function lanePathOf(route: PredictionRoute): string | undefined {
  return route.lanePath ?? (route.path.includes(':') ? undefined : route.path);
}

/**
 * The prediction routes as Hono routes: 503 unless serving, then the JSON body (415, 413, 400),
 * then the route's answer.
 */
export function predictionApp(
  deps: Pick<AppDeps, 'config' | 'logger' | 'model' | 'readiness'>,
  routes: readonly PredictionRoute[],
  errors: ErrorMappingOptions = {},
): Hono<AppEnv> {
  const { logger, readiness } = deps;
  const app = new Hono<AppEnv>();
  for (const { path, checkPath, answer, errorBody, maxBytes } of routes) {
    const readBody = jsonBodyReader({ ...bodyLimits(deps), ...(maxBytes ? { maxBytes } : {}) });
    // A route with its own error body gets its own `onError`.
    const own =
      errorBody && new Hono<AppEnv>().onError(errorHandler(logger, { ...errors, errorBody }));
    (own ?? app).post(path, async (c) => {
      checkPath?.((name) => c.req.param(name));
      assertServing(readiness);
      const { body, headers } = await answer(
        await readBody(c),
        c.get('requestId'),
        c.get('client'),
      );
      return respondJson(c, body, 200, headers);
    });
    if (own) app.route('/', own);
  }
  return app;
}
