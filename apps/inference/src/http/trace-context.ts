/** The trace a request belongs to, from its W3C `traceparent` or Google's `X-Cloud-Trace-Context`. */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** The caller's span, 16 lowercase hex digits. */
  readonly spanId: string;
  /** Whether the caller sampled (records) this trace. */
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const CLOUD_TRACE = /^([0-9a-f]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?$/i;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * W3C Trace Context `traceparent`: version-traceid-parentid-flags. Version ff and all-zero ids
 * are invalid; later versions may append fields, which are ignored.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
function fromTraceparent(value: string): TraceContext | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId = '', spanId = '', flags = '00'] = match;
  if (version === 'ff' || (version === '00' && value.trim().length !== 55)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS`, SPAN_ID a decimal 64-bit number,
 * as Google's load balancers send it.
 * @see https://cloud.google.com/trace/docs/trace-context#legacy-http-header
 */
function fromCloudTrace(value: string): TraceContext | undefined {
  const match = CLOUD_TRACE.exec(value.trim());
  if (!match) return undefined;
  const [, traceId = '', span, option] = match;
  if (traceId === ZERO_TRACE || span === undefined) return undefined;
  const spanNumber = BigInt(span);
  if (spanNumber === 0n || spanNumber > MAX_UINT64) return undefined;
  return {
    traceId: traceId.toLowerCase(),
    spanId: spanNumber.toString(16).padStart(16, '0'),
    sampled: option === '1',
  };
}

/**
 * The request's trace context: `traceparent` when it is valid, else `X-Cloud-Trace-Context`,
 * else none. Malformed headers are ignored, never an error: tracing is the caller's business.
 */
export function parseTraceContext(headers: {
  readonly traceparent?: string | undefined;
  readonly cloudTraceContext?: string | undefined;
}): TraceContext | undefined {
  return (
    (headers.traceparent === undefined ? undefined : fromTraceparent(headers.traceparent)) ??
    (headers.cloudTraceContext === undefined
      ? undefined
      : fromCloudTrace(headers.cloudTraceContext))
  );
}

/**
 * The log fields that tie a line to its trace: `traceId`/`spanId` for any backend, and with a
 * Google Cloud project, Cloud Logging's `logging.googleapis.com/trace`, `spanId` and
 * `trace_sampled`, which link the line to the trace in Cloud Trace and group a request's lines.
 * @see https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
export function traceLogFields(
  trace: TraceContext | undefined,
  project: string | undefined,
): Record<string, string | boolean> {
  if (trace === undefined) return {};
  const fields: Record<string, string | boolean> = { traceId: trace.traceId, spanId: trace.spanId };
  if (project !== undefined) {
    fields['logging.googleapis.com/trace'] = `projects/${project}/traces/${trace.traceId}`;
    fields['logging.googleapis.com/spanId'] = trace.spanId;
    fields['logging.googleapis.com/trace_sampled'] = trace.sampled;
  }
  return fields;
}
