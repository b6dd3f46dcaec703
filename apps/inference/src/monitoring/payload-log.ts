import type { FeatureRecord, ModelSchema } from '@modelship/feature-schema';
import { pino } from 'pino';
import type { Logger } from '../logger.ts';
import type { Prediction } from '../model/task.ts';

/** The `kind` of a payload line: what a log sink filters on (`jsonPayload.kind`). */
export const PAYLOAD_LINE_KIND = 'modelship.payload';
/** What a sensitive field's value is written as. */
export const REDACTED = '[redacted]';

/**
 * One record's explanation as a payload line carries it: `/explain`'s answer without the
 * prediction (already in `outputs`); contributions per field, per class for a classifier.
 */
export interface LoggedExplanation {
  readonly method: string;
  readonly space: string;
  readonly baseline: unknown;
  readonly contributions: Readonly<Record<string, unknown>>;
  readonly output: unknown;
  readonly standardErrors?: Readonly<Record<string, unknown>>;
}

/** Logs a sampled share of prediction requests, one JSON line each. */
export interface PayloadLog {
  /** Whether anything is ever logged (`PAYLOAD_LOG_SAMPLE` > 0). */
  readonly enabled: boolean;
  /** Whether `/explain`'s lines carry the explanations (`PAYLOAD_LOG_EXPLAIN`). */
  readonly explains: boolean;
  /**
   * Logs this request's validated inputs and outputs with probability `sample`, and the
   * explanations when given and {@link explains}; called lazily so an unsampled request
   * builds nothing.
   */
  maybeLog(request: PayloadRequest): void;
  /**
   * Draws whether this request is logged (probability `sample`; false without a draw when
   * sampling is off), so that a hot route builds its {@link PayloadRequest} only when it is.
   */
  sampled(): boolean;
  /** Writes one payload line for a request {@link sampled} chose. */
  log(request: PayloadRequest): void;
}

/** What a payload line is written from: one request, as the version that answered it saw it. */
export interface PayloadRequest {
  readonly requestId: string;
  /** The version that computed the outputs (a reload may have replaced the startup one). */
  readonly model: { readonly name: string; readonly version: string };
  readonly records: readonly FeatureRecord[];
  readonly predictions: readonly Prediction[];
  readonly explanations?: () => readonly LoggedExplanation[];
  /** The API key's client, if any. */
  readonly client?: string | undefined;
}

/** Options of {@link createPayloadLog}. */
export interface PayloadLogOptions {
  readonly logger: Logger;
  readonly schema: ModelSchema;
  /** The share of requests logged, 0..1 (`PAYLOAD_LOG_SAMPLE`). */
  readonly sample: number;
  /** `/explain`'s lines carry the explanations (`PAYLOAD_LOG_EXPLAIN`). @default false */
  readonly explain?: boolean;
  /** A uniform number in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/**
 * Sampled payload logs: one line per sampled request with the request id (and the API key's
 * client), the model's name
 * and version, the validated inputs (fields marked `sensitive` in the schema written as
 * `"[redacted]"`) and the outputs, at `info`, through the service's asynchronous logger. The
 * logger's buffer is bounded (see `createStdoutDestination`): when stdout does not keep up,
 * lines are dropped and counted (`modelship_payload_log_dropped_total`), never queued without
 * limit and never waited for. An unsampled request costs one random number.
 */
export function createPayloadLog(options: PayloadLogOptions): PayloadLog {
  const { logger, schema, sample, explain = false, random = Math.random } = options;
  const sensitive = schema.fields.filter((f) => f.sensitive === true).map((f) => f.name);
  const redact =
    sensitive.length === 0
      ? (records: readonly FeatureRecord[]) => records
      : (records: readonly FeatureRecord[]) =>
          records.map((r) => {
            const copy: Record<string, number | string> = { ...r };
            for (const name of sensitive) copy[name] = REDACTED;
            return copy;
          });
  // A sensitive field's contribution tells much of its value: redacted like the value.
  const redactFields = (row: unknown) => {
    if (!row || typeof row !== 'object') return row;
    const copy: Record<string, unknown> = { ...row };
    for (const name of sensitive) if (name in copy) copy[name] = REDACTED;
    return copy;
  };
  const redactPerClass = (fields: Readonly<Record<string, unknown>>, perClass: boolean) =>
    perClass
      ? Object.fromEntries(Object.entries(fields).map(([k, row]) => [k, redactFields(row)]))
      : redactFields(fields);
  const redactExplanation = (e: LoggedExplanation): LoggedExplanation => {
    if (sensitive.length === 0) return e;
    const perClass = typeof e.baseline === 'object';
    return {
      ...e,
      contributions: redactPerClass(e.contributions, perClass) as Record<string, unknown>,
      ...(e.standardErrors
        ? { standardErrors: redactPerClass(e.standardErrors, perClass) as Record<string, unknown> }
        : {}),
    };
  };
  const sampled = () => sample > 0 && random() < sample;
  const log = ({ requestId, model, records, predictions, explanations, client }: PayloadRequest) =>
    logger.info(
      {
        kind: PAYLOAD_LINE_KIND,
        requestId,
        client,
        model: { name: model.name, version: model.version },
        inputs: redact(records),
        outputs: predictions,
        ...(explain && explanations ? { explanations: explanations().map(redactExplanation) } : {}),
      },
      'payload',
    );
  return {
    enabled: sample > 0,
    explains: explain,
    sampled,
    log,
    maybeLog(request) {
      if (sampled()) log(request);
    },
  };
}

/** The logger's destination stream (pino keeps it under a symbol). */
function destinationOf(
  logger: Logger,
): { on?: (event: string, f: (data: string) => void) => void } | undefined {
  return (
    logger as unknown as Record<symbol, { on?: (event: string, f: (data: string) => void) => void }>
  )[pino.symbols.streamSym];
}

/**
 * Calls `onPayload` / `onOther` for each line the logger's destination drops (the bounded
 * stdout writer, `createStdoutDestination`, emits `drop` with the line). Destinations without
 * drops never call them.
 */
export function watchDroppedLines(
  logger: Logger,
  onPayload: () => void,
  onOther: () => void,
): void {
  const marker = `"kind":"${PAYLOAD_LINE_KIND}"`;
  destinationOf(logger)?.on?.('drop', (line: string | Buffer) => {
    // A line is dropped as the string or the buffer it was written as.
    if ((typeof line === 'string' || Buffer.isBuffer(line)) && line.includes(marker)) onPayload();
    else onOther();
  });
}
