import type { ErrorHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { ContractError, type ErrorBody, type HttpError } from '../errors.ts';
import { type ErrorMappingOptions, errorHandler } from '../http/error-handler.ts';
import type { Logger } from '../logger.ts';

/** 404: the path names a model (or a version of it) that this server does not serve. */
export class ModelNotFoundError extends ContractError {
  constructor(name: string, version?: string) {
    super(
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
function oipErrorBody(body: ErrorBody): OipErrorBody {
  const { message, details } = body.error;
  const folded = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return { error: folded ? `${message} ${folded}` : message };
}

/** The protocol's body of a mapped error ({@link oipErrorBody}). */
export function oipErrorOf(mapped: HttpError): OipErrorBody {
  return oipErrorBody(mapped.toBody());
}

/**
 * The OIP routes' `onError`: the service's error mapping (statuses, headers such as
 * `Retry-After`, the logging of unexpected failures and their generic 500) with the protocol's
 * body ({@link oipErrorOf}).
 */
export function oipErrorHandler(
  logger: Logger,
  options: ErrorMappingOptions = {},
): ErrorHandler<AppEnv> {
  return errorHandler(logger, { ...options, errorBody: oipErrorOf });
}
