import { describe, expect, it } from 'vitest';
import { parseTraceContext, traceLogFields } from './trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceContext', () => {
  it('reads a W3C traceparent, sampled or not', () => {
    expect(parseTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01` })).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    });
    expect(parseTraceContext({ traceparent: `00-${TRACE}-${SPAN}-00` })?.sampled).toBe(false);
    // a later version may append fields
    expect(parseTraceContext({ traceparent: `01-${TRACE}-${SPAN}-03-extra` })?.sampled).toBe(true);
  });

  it('reads X-Cloud-Trace-Context with a decimal span id, as hex', () => {
    expect(parseTraceContext({ cloudTraceContext: `${TRACE.toUpperCase()}/1;o=1` })).toEqual({
      traceId: TRACE,
      spanId: '0000000000000001',
      sampled: true,
    });
    expect(parseTraceContext({ cloudTraceContext: `${TRACE}/18446744073709551615` })).toEqual({
      traceId: TRACE,
      spanId: 'ffffffffffffffff',
      sampled: false,
    });
  });

  it('prefers traceparent, and falls back when it is malformed', () => {
    const cloud = `${'a'.repeat(32)}/16;o=0`;
    expect(
      parseTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01`, cloudTraceContext: cloud })
        ?.traceId,
    ).toBe(TRACE);
    expect(parseTraceContext({ traceparent: 'garbage', cloudTraceContext: cloud })).toEqual({
      traceId: 'a'.repeat(32),
      spanId: '0000000000000010',
      sampled: false,
    });
  });

  it.each([
    ['a version ff', { traceparent: `ff-${TRACE}-${SPAN}-01` }],
    ['version 00 with extra fields', { traceparent: `00-${TRACE}-${SPAN}-01-x` }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` }],
    ['an all-zero span id', { traceparent: `00-${TRACE}-${'0'.repeat(16)}-01` }],
    ['upper-case traceparent hex', { traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` }],
    ['a short trace id', { traceparent: `00-${TRACE.slice(1)}-${SPAN}-01` }],
    ['a cloud trace without span', { cloudTraceContext: TRACE }],
    ['a cloud span of zero', { cloudTraceContext: `${TRACE}/0` }],
    ['a cloud span over 64 bits', { cloudTraceContext: `${TRACE}/18446744073709551616` }],
    ['a cloud trace with junk', { cloudTraceContext: `${TRACE}/1;o=1<script>` }],
    ['nothing', {}],
  ])('ignores %s', (_name, headers) => {
    expect(parseTraceContext(headers)).toBeUndefined();
  });
});

describe('traceLogFields', () => {
  const trace = { traceId: TRACE, spanId: SPAN, sampled: true };

  it('adds Cloud Logging’s trace fields only with a project', () => {
    expect(traceLogFields(trace, undefined)).toEqual({ traceId: TRACE, spanId: SPAN });
    expect(traceLogFields(trace, 'acme-prod')).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      'logging.googleapis.com/trace': `projects/acme-prod/traces/${TRACE}`,
      'logging.googleapis.com/spanId': SPAN,
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(traceLogFields(undefined, 'acme-prod')).toEqual({});
  });
});
