import type { ErrorBody, ErrorCode, ErrorDetail } from '@modelship/contract';
import { errorBody } from '@modelship/contract';
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

/** 400: the body is not well-formed JSON. */
export class MalformedJsonError extends HttpError {
  constructor(options: HttpErrorOptions = {}) {
    super(400, 'malformed_json', 'The request body is not valid JSON.', options);
  }
}

/** 404: no such route. */
export class NotFoundError extends HttpError {
  constructor(path: string) {
    super(404, 'not_found', `No route for ${path}.`);
  }
}

/** 413: the body is larger than BODY_LIMIT. */
export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes.`);
  }
}

/**
 * 499: the client closed its connection before its body ended. Nobody receives it; the request
 * is logged and counted as a client's doing, never as a server error.
 */
export class ClientClosedRequestError extends HttpError {
  constructor(options: HttpErrorOptions = {}) {
    super(
      499 as ContentfulStatusCode,
      'client_closed_request',
      'The client closed the connection before its request body ended.',
      options,
    );
  }
}

/** 413: an object in the body has more keys than any object of the API needs. */
export class TooManyKeysError extends HttpError {
  constructor(maxKeys: number) {
    super(
      413,
      'payload_too_large',
      `The request body holds an object of more than ${maxKeys} keys; a record of this model has ${maxKeys - EXTRA_KEYS_ALLOWED} fields.`,
    );
  }
}

/** 415: the body is not declared as JSON. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(received: string | undefined) {
    super(
      415,
      'unsupported_media_type',
      `Expected Content-Type application/json, got ${received ? JSON.stringify(received) : 'none'}.`,
    );
  }
}

/**
 * 422: the JSON is well-formed but does not satisfy the model's schema. Lists at most
 * `MAX_LISTED_ISSUES` issues; the message counts them all (`unlisted`: found, not listed).
 */
export class ValidationError extends HttpError {
  constructor(issues: readonly FieldIssue[], unlisted = 0) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES);
    const count = issues.length + unlisted;
    const more = count > listed.length ? `; the first ${listed.length} are listed` : '';
    super(
      422,
      'validation_failed',
      `The request has ${count} invalid field${count === 1 ? '' : 's'}${more}.`,
      { details: listed.map(({ path, message }) => ({ path, message })), issues: listed },
    );
  }
}

/** 503: the model is not loaded and warmed yet, or the service has stopped. */
export class NotReadyError extends HttpError {
  constructor(state: string) {
    super(503, 'not_ready', `The model is not ready (${state}).`, {
      headers: { 'Retry-After': '1' },
    });
  }
}

/** 503: the batching queue is full; the client should retry shortly. */
export class QueueFullError extends HttpError {
  constructor(retryAfterSeconds = 1) {
    super(503, 'overloaded', 'Too many pending predictions; retry shortly.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** 409: the served model cannot be explained (no background rows); the message says how to fix it. */
export class ExplainUnavailableError extends HttpError {
  constructor(message: string) {
    super(409, 'explain_unavailable', message);
  }
}

/** 500: anything unexpected. The client learns nothing but the request id. */
export class InternalError extends HttpError {
  constructor(options: HttpErrorOptions = {}) {
    super(
      500,
      'internal',
      'An internal error occurred; it has been logged under the request id.',
      options,
    );
  }
}
