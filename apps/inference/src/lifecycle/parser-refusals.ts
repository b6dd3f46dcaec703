import type { ErrorCode } from '@modelship/contract';
import type { Counter } from 'prom-client';
import { createTokenBucket } from '../auth/token-bucket.ts';
import type { Logger } from '../logger.ts';

/** The contract's codes of the answers to Node's parser refusals: the counter's label values. */
export const PARSER_REFUSAL_CODES = [
  'bad_request',
  'request_timeout',
  'header_fields_too_large',
  'payload_too_large',
] as const satisfies readonly ErrorCode[];

/** One of {@link PARSER_REFUSAL_CODES}. */
export type ParserRefusalCode = (typeof PARSER_REFUSAL_CODES)[number];

/** The contract's code of the answer to one of Node's parser errors (its `error.code`). */
export function refusalCodeOf(parserCode: string | undefined): ParserRefusalCode {
  switch (parserCode) {
    case 'HPE_HEADER_OVERFLOW':
      return 'header_fields_too_large';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'payload_too_large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'request_timeout';
    default:
      return 'bad_request';
  }
}

/** A request Node's parser refused: what may be logged of it (never its bytes). */
export interface ParserRefusal {
  readonly code: ParserRefusalCode;
  /** Node's `error.code` (`HPE_INVALID_METHOD`...), if it is one. */
  readonly parserCode: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** Options of {@link parserRefusalReporter}. */
export interface ParserRefusalReporterOptions {
  readonly logger: Logger;
  /** `http_parser_refusals_total{code}`. */
  readonly counter: Counter<'code'>;
  /** Log lines per second at most; refusals past it are counted, and summed in the next line. @default 5 */
  readonly linesPerSecond?: number;
  /** Lines at once above the rate. @default 20 */
  readonly burst?: number;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
}

/** Node's codes are short upper-case identifiers; anything else is not written as it came. */
const parserCodeShape = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Counts every refusal and logs it as a warning, at most `linesPerSecond` lines (a flood of
 * malformed requests must not flood stdout); a line after a quiet spell says how many went
 * unlogged (`unlogged`).
 */
export function parserRefusalReporter(
  options: ParserRefusalReporterOptions,
): (refusal: ParserRefusal) => void {
  const {
    logger,
    counter,
    linesPerSecond = 5,
    burst = 20,
    now = () => performance.now(),
  } = options;
  const bucket = createTokenBucket(linesPerSecond, burst, now());
  let unlogged = 0;
  return ({ code, parserCode, remoteAddress }) => {
    counter.inc({ code });
    if (bucket.take(now()) > 0) {
      unlogged += 1;
      return;
    }
    const node =
      parserCode !== undefined && parserCodeShape.test(parserCode) ? parserCode : 'other';
    logger.warn(
      { code, parserCode: node, remoteAddress, ...(unlogged > 0 ? { unlogged } : {}) },
      `HTTP parser refused a request (${node}): answered ${code}`,
    );
    unlogged = 0;
  };
}
