import type { ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../deps.ts';
import type { ErrorBody } from '../errors.ts';
import { HttpError } from '../errors.ts';
import { errorHandler } from '../http/error-handler.ts';
import type { Logger } from '../logger.ts';

/** 404: the path names a model (or a version of it) that this server does not serve. */
export class ModelNotFoundError extends HttpError {
  constructor(name: string, version?: string) {
    super(
      404,
      'model_not_found',
      version === undefined
        ? `Unknown model "${name}".`
        : `Unknown version "${version}" of model "${name}".`,
    );
  }
}

/** The Open Inference Protocol's error body. */
export interface OipErrorBody {
  readonly error: string;
}

/**
 * The protocol's error body, `{"error": "message"}`, of the service's error body: field-level
 * details are folded into the message.
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md#inference-response-json-error-object
 */
export function oipErrorBody(body: ErrorBody): OipErrorBody {
  const { message, details } = body.error;
  const folded = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return { error: folded ? `${message} ${folded}` : message };
}

/**
 * The OIP routes' `onError`: the service's error mapping (statuses, headers such as
 * `Retry-After`, the logging of unexpected failures and their generic 500) with the protocol's
 * body ({@link oipErrorBody}).
 */
export function oipErrorHandler(
  logger: Logger,
  options: Parameters<typeof errorHandler>[1] = {},
): ErrorHandler<AppEnv> {
  const serviceMapping = errorHandler(logger, options);
  return async (error, c) => {
    const res = await serviceMapping(error, c);
    const body = oipErrorBody((await res.json()) as ErrorBody);
    // The headers the mapping set on the context (Retry-After) carry over to this response.
    return c.json(body, res.status as ContentfulStatusCode);
  };
}
