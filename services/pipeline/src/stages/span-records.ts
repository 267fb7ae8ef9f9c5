import type { SignalBatch, SignalSource, Span } from '@sleuth/core';
import type { RequestIn, SpanIn } from '../otlp/otlp-model';
import { hexId, timeProblem } from './record-checks';
import type { Rejections } from './rejections';
import { sourceFromResource } from './resource-source';

const KINDS: readonly Span['kind'][] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const STATUSES: readonly Span['status'][] = ['unset', 'ok', 'error'];
const MAX_NAME = 1024;

/** What the traces stage needs from the request context. */
export interface SpanStageContext {
  defaultCluster: string;
  receivedMs: number;
}

function times(span: SpanIn, receivedMs: number): [number, number] | string {
  const { startMs, endMs } = span;
  if (startMs === undefined) return 'startTimeUnixNano is missing';
  if (endMs === undefined) return 'endTimeUnixNano is missing';
  const problem =
    timeProblem(startMs, 'startTimeUnixNano', receivedMs) ??
    timeProblem(endMs, 'endTimeUnixNano', receivedMs);
  if (problem !== undefined) return problem;
  if (endMs < startMs) return 'endTimeUnixNano is before startTimeUnixNano';
  return [startMs, endMs];
}

/**
 * Validates and normalises one span, or says why it cannot be stored: ids must be hex of the right
 * length and not all zero (an all-zero parent means a root span), both times present, the end not
 * before the start. The first `exception` event's type and message are copied onto the span's
 * attributes (when not already there), since Span has no place for events.
 */
export function toSpan(
  span: SpanIn,
  service: string,
  source: SignalSource,
  receivedMs: number,
): Span | string {
  const traceId = hexId(span.traceId, 32);
  if (!traceId) return 'traceId must be 32 hex characters and not all zero';
  const spanId = hexId(span.spanId, 16);
  if (!spanId) return 'spanId must be 16 hex characters and not all zero';
  let parentSpanId: string | undefined;
  if (span.parentSpanId !== '') {
    parentSpanId = hexId(span.parentSpanId, 16);
    if (parentSpanId === undefined) return 'parentSpanId must be 16 hex characters';
  }
  const t = times(span, receivedMs);
  if (typeof t === 'string') return t;
  const [startMs, endMs] = t;
  const attributes = span.attributes;
  const exception = span.events.find((e) => e.name === 'exception');
  if (exception !== undefined) {
    for (const key of ['exception.type', 'exception.message']) {
      const v = exception.attributes[key];
      if (v !== undefined && attributes[key] === undefined) attributes[key] = v;
    }
  }
  const out: Span = {
    traceId,
    spanId,
    name: span.name.length > MAX_NAME ? span.name.slice(0, MAX_NAME) : span.name,
    kind: KINDS[span.kind] ?? 'unspecified',
    service,
    source,
    startMs,
    endMs,
    durationMs: endMs - startMs,
    status: STATUSES[span.statusCode] ?? 'unset',
    attributes,
  };
  if (parentSpanId) out.parentSpanId = parentSpanId;
  if (span.statusMessage !== '') out.statusMessage = span.statusMessage;
  return out;
}

/**
 * The traces stage: validates decoded ResourceSpans into Spans appended to `batch`. The service is
 * the resource's service.name, else `unknown`. Invalid spans are counted in `rejections`.
 */
export function normaliseSpans(
  req: RequestIn<SpanIn>,
  ctx: SpanStageContext,
  batch: SignalBatch,
  rejections: Rejections,
): void {
  for (let r = 0; r < req.length; r++) {
    const resource = req[r];
    if (resource === null || resource === undefined) {
      rejections.reject(`resourceSpans[${r}]`, 'is not an object');
      continue;
    }
    const source = sourceFromResource(resource.attributes, ctx.defaultCluster);
    const service = source.service ?? 'unknown';
    for (let s = 0; s < resource.scopes.length; s++) {
      const spans = resource.scopes[s];
      if (spans === null || spans === undefined) {
        rejections.reject(`resourceSpans[${r}].scopeSpans[${s}]`, 'is not an object with a spans array');
        continue;
      }
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i];
        const out =
          span === null || span === undefined
            ? 'is not an object'
            : toSpan(span, service, source, ctx.receivedMs);
        if (typeof out === 'string')
          rejections.reject(`resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`, out);
        else batch.spans.push(out);
      }
    }
  }
}
