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

/** Writes an {@link HttpError} as the JSON error body, with its headers. */
export function errorResponse(c: Context<AppEnv>, error: HttpError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(error.toBody(), error.status);
}

/**
 * The app's one error mapping. An {@link HttpError} becomes its JSON body and status; any
 * other error is logged in full (with the request id and trace) and answered with a generic 500 that
 * reveals nothing internal.
 */
export function errorHandler(
  logger: Logger,
  options: { readonly onValidationFailure?: (issues: readonly FieldIssue[]) => void } = {},
): ErrorHandler<AppEnv> {
  const { onValidationFailure } = options;
  return (error, c) => {
    if (error instanceof HttpError && error.fieldIssues.length > 0) {
      onValidationFailure?.(error.fieldIssues);
    }
    let mapped: HttpError;
    if (error instanceof HttpError) mapped = error;
    else if (error instanceof HTTPException) mapped = fromHttpException(error);
    else mapped = new InternalError({ cause: error });
    if (mapped instanceof InternalError) {
      logger.error(
        { requestId: c.get('requestId'), ...c.get('traceLogFields'), error, path: c.req.path },
        `request failed: ${error.message}`,
      );
    }
    return errorResponse(c, mapped);
  };
}

/** Unknown routes answer the JSON error shape too. */
export function notFoundHandler(c: Context<AppEnv>): Response {
  return errorResponse(c, new NotFoundError(c.req.path));
}
