import type { ErrorBody, ErrorCode, ErrorDetail } from '@modelship/contract';
import { API_KEY_CHALLENGE, ERROR_CODES, errorBody } from '@modelship/contract';
import { EXTRA_KEYS_ALLOWED, type FieldIssue, MAX_LISTED_ISSUES } from '@modelship/feature-schema';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type { ErrorBody, ErrorDetail } from '@modelship/contract';

/** Options shared by every {@link HttpError}. */
export interface HttpErrorOptions {
  /** Field-level problems; default none. */
  readonly details?: readonly ErrorDetail[];
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** The schema's field issues behind the error, with their reasons (counted, never sent). */
  readonly issues?: readonly FieldIssue[];
}

/**
 * The one error family of the service: each error carries the HTTP status and a stable,
 * machine-readable code. Its message is written for the client and is sent as is, so it must
 * never contain internal detail. `onError` maps it to an `ErrorBody` (`@modelship/contract`).
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly details: readonly ErrorDetail[];
  readonly headers: Readonly<Record<string, string>>;
  /** The schema's field issues behind the error (`modelship_validation_failures_total`). */
  readonly fieldIssues: readonly FieldIssue[];

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
    this.fieldIssues = options.issues ?? [];
  }

  /** The JSON body sent to the client. */
  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

/**
 * An {@link HttpError} whose status is the one `ERROR_CODES` (`@modelship/contract`) declares for
 * its code, so that a code and its status are written once. `HttpError` itself stays open to any
 * status, for the error handler's mapping of Hono's own exceptions.
 */
export class ContractError extends HttpError {
  constructor(code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    // 499 (client_closed_request) is nginx's convention, outside Hono's status type.
    super(ERROR_CODES[code] as ContentfulStatusCode, code, message, options);
  }
}

/** 400: the body is not well-formed JSON. */
export class MalformedJsonError extends ContractError {
  constructor(options: HttpErrorOptions = {}) {
    super('malformed_json', 'The request body is not valid JSON.', options);
  }
}

/** 404: no such route. */
export class NotFoundError extends ContractError {
  constructor(path: string) {
    super('not_found', `No route for ${path}.`);
  }
}

/** 405: a known route asked with another method; `Allow` lists the ones it answers. */
export class MethodNotAllowedError extends ContractError {
  constructor(method: string, path: string, allow: readonly string[]) {
    // Node's parser only passes known method names on, so the echo is one of a fixed few.
    super('method_not_allowed', `${path} answers ${allow.join(', ')}, not ${method}.`, {
      headers: { Allow: allow.join(', ') },
    });
  }
}

/** 413: the body is larger than BODY_LIMIT. */
export class PayloadTooLargeError extends ContractError {
  constructor(limitBytes: number) {
    super('payload_too_large', `The request body exceeds ${limitBytes} bytes.`);
  }
}

/**
 * 499: the client closed its connection before its body ended. Nobody receives it; the request
 * is logged and counted as a client's doing, never as a server error.
 */
export class ClientClosedRequestError extends ContractError {
  constructor(options: HttpErrorOptions = {}) {
    super(
      'client_closed_request',
      'The client closed the connection before its request body ended.',
      options,
    );
  }
}

/** 413: an object in the body has more keys than any object of the API needs. */
export class TooManyKeysError extends ContractError {
  constructor(maxKeys: number) {
    super(
      'payload_too_large',
      `The request body holds an object of more than ${maxKeys} keys; a record of this model has ${maxKeys - EXTRA_KEYS_ALLOWED} fields.`,
    );
  }
}

/** 415: the body is not declared as JSON. */
export class UnsupportedMediaTypeError extends ContractError {
  constructor(received: string | undefined) {
    super(
      'unsupported_media_type',
      `Expected Content-Type application/json, got ${received ? JSON.stringify(received) : 'none'}.`,
    );
  }
}

/**
 * 422: the JSON is well-formed but does not satisfy the model's schema. Lists at most
 * `MAX_LISTED_ISSUES` issues; the message counts them all (`unlisted`: found, not listed).
 */
export class ValidationError extends ContractError {
  constructor(issues: readonly FieldIssue[], unlisted = 0) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES);
    const count = issues.length + unlisted;
    const more = count > listed.length ? `; the first ${listed.length} are listed` : '';
    super(
      'validation_failed',
      `The request has ${count} invalid field${count === 1 ? '' : 's'}${more}.`,
      { details: listed.map(({ path, message }) => ({ path, message })), issues: listed },
    );
  }
}

/** 503: the model is not loaded and warmed yet, or the service has stopped. */
export class NotReadyError extends ContractError {
  constructor(state: string) {
    super('not_ready', `The model is not ready (${state}).`, {
      headers: { 'Retry-After': '1' },
    });
  }
}

/** 503: the batching queue is full; the client should retry shortly. */
export class QueueFullError extends ContractError {
  constructor(retryAfterSeconds = 1) {
    super('overloaded', 'Too many pending predictions; retry shortly.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** 409: the served model cannot be explained (no background rows); the message says how to fix it. */
export class ExplainUnavailableError extends ContractError {
  constructor(message: string) {
    super('explain_unavailable', message);
  }
}

/** Why a request without a valid API key is refused. */
export type UnauthorizedReason =
  | 'missing'
  | 'invalid'
  | 'malformed_authorization'
  | 'malformed_x_api_key';

const unauthorizedMessages: Readonly<Record<UnauthorizedReason, string>> = {
  missing: 'An API key is required: send "Authorization: Bearer KEY" or "X-API-Key: KEY".',
  invalid: 'The API key is not valid.',
  malformed_authorization: 'The Authorization header is not "Bearer KEY".',
  malformed_x_api_key: 'The X-API-Key header is empty or holds more than a key.',
};

/** 401: API keys are on and the request has no valid key. The message never holds the key. */
export class UnauthorizedError extends ContractError {
  constructor(reason: UnauthorizedReason) {
    super('unauthorized', unauthorizedMessages[reason], {
      headers: { 'WWW-Authenticate': API_KEY_CHALLENGE },
    });
  }
}

/** 429: a client is over its rate (`rate=`/`burst=` of the key file, or the defaults). */
export class RateLimitedError extends ContractError {
  constructor(
    /** The client's name (the request is still counted as that client's). */
    readonly client: string,
    retryAfterSeconds: number,
  ) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(
      'rate_limited',
      `Client "${client}" is over its request rate; retry after ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
}

/** 500: anything unexpected. The client learns nothing but the request id. */
export class InternalError extends ContractError {
  constructor(options: HttpErrorOptions = {}) {
    super(
      'internal',
      'An internal error occurred; it has been logged under the request id.',
      options,
    );
  }
}
