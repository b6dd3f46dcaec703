import type { FieldIssue } from '@modelship/feature-schema';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../deps.ts';
import { HttpError, InternalError, NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Maps a Hono `HTTPException` (thrown by built-in middleware) into the error family. */
function fromHttpException(error: HTTPException): HttpError {
  const status = error.status as ContentfulStatusCode;
  if (status >= 500) return new InternalError({ cause: error });
  const code = status === 405 ? 'method_not_allowed' : 'bad_request';
  return new HttpError(status, code, error.message || 'The request was rejected.');
}

/** Writes an {@link HttpError} as the JSON error body (or `body`'s), with its headers. */
function errorResponse(
  c: Context<AppEnv>,
  error: HttpError,
  body: (mapped: HttpError) => unknown = (mapped) => mapped.toBody(),
): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(body(error) as object, error.status);
}

/** Options of {@link errorMapper} and {@link errorHandler}. */
export interface ErrorMappingOptions {
  /** Called with the schema's field issues of every refused record (the validation counter). */
  readonly onValidationFailure?: (issues: readonly FieldIssue[]) => void;
}

/** The request an error came from, for the log line of an internal error. */
export interface ErrorOrigin {
  readonly requestId: string | undefined;
  readonly trace: Readonly<Record<string, string | boolean>> | undefined;
  readonly path: string;
}

/**
 * The service's one error mapping, apart from the framework: an {@link HttpError} is answered
 * as it is (its field issues counted); a Hono `HTTPException` becomes its HttpError; any other
 * error is logged in full (with the request id and trace) and becomes a generic 500 that
 * reveals nothing internal. Hono's {@link errorHandler} and the fast lane
 * (`src/http/fast/native-lane.ts`) both answer through it.
 */
export function errorMapper(
  logger: Logger,
  options: ErrorMappingOptions = {},
): (error: unknown, origin: ErrorOrigin) => HttpError {
  const { onValidationFailure } = options;
  return (error, origin) => {
    if (error instanceof HttpError && error.fieldIssues.length > 0) {
      onValidationFailure?.(error.fieldIssues);
    }
    let mapped: HttpError;
    if (error instanceof HttpError) mapped = error;
    else if (error instanceof HTTPException) mapped = fromHttpException(error);
    else mapped = new InternalError({ cause: error });
    if (mapped instanceof InternalError) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error(
        { requestId: origin.requestId, ...origin.trace, error, path: origin.path },
        `request failed: ${message}`,
      );
    }
    return mapped;
  };
}

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions extends ErrorMappingOptions {
  /** The body of an answer. @default the service's error body (`mapped.toBody()`) */
  readonly errorBody?: (mapped: HttpError) => unknown;
}

/** The app's `onError`: {@link errorMapper}'s answer as the JSON error body. */
export function errorHandler(
  logger: Logger,
  options: ErrorHandlerOptions = {},
): ErrorHandler<AppEnv> {
  const map = errorMapper(logger, options);
  const { errorBody } = options;
  return (error, c) =>
    errorResponse(
      c,
      map(error, {
        requestId: c.get('requestId'),
        trace: c.get('traceLogFields'),
        path: c.req.path,
      }),
      errorBody,
    );
}

/** Unknown routes answer the JSON error shape too. */
export function notFoundHandler(c: Context<AppEnv>): Response {
  return errorResponse(c, new NotFoundError(c.req.path));
}
