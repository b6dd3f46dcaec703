import { z } from 'zod';

/** One problem with a request, located by a path such as `instances[3].bmi`. */
export const errorDetailSchema = z.object({
  path: z.string().meta({ examples: ['bmi', 'instances[3].bmi'] }),
  message: z.string(),
});

/**
 * The JSON body of every error response, whoever answers it: the service's error handler,
 * nginx's own error pages (413, 429, 502...) and the OpenAPI document all use this shape.
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable, machine-readable.' }),
    message: z.string(),
    details: z.array(errorDetailSchema),
  }),
});

/** One problem with a request. */
export type ErrorDetail = z.infer<typeof errorDetailSchema>;
/** The JSON body of every error response. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Every error code a client can receive, with the status it comes with. The service answers
 * the first group, nginx the second (with the same body shape).
 */
export const ERROR_CODES = {
  bad_request: 400,
  malformed_json: 400,
  /** API keys are on and the request has no valid one (with `WWW-Authenticate`). */
  unauthorized: 401,
  not_found: 404,
  /** Open Inference Protocol: no model by that name or version (its body is `{ error }`). */
  model_not_found: 404,
  method_not_allowed: 405,
  /** The service's HTTP parser: the headers did not arrive within its request timeout. */
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** The service's HTTP parser: the request's headers exceed its limit (nginx's is `header_too_large`). */
  header_fields_too_large: 431,
  /** `/explain` for a model directory without background rows in its profile.json. */
  explain_unavailable: 409,
  validation_failed: 422,
  internal: 500,
  not_ready: 503,
  overloaded: 503,
  /** The client went away before its request ended: never sent, only logged and counted (nginx's 499). */
  client_closed_request: 499,
  // nginx's own answers (and `bad_request`, above)
  header_too_large: 400,
  forbidden: 403,
  uri_too_long: 414,
  /** nginx's per-address limits, and the service's per-client ones (with `Retry-After`). */
  rate_limited: 429,
  bad_gateway: 502,
  unavailable: 503,
  not_implemented: 501,
  gateway_timeout: 504,
} as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Builds an error body. */
export function errorBody(
  code: ErrorCode,
  message: string,
  details: readonly ErrorDetail[] = [],
): ErrorBody {
  return { error: { code, message, details: [...details] } };
}
