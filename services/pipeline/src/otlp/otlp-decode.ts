import { DecodeError, PayloadTooLargeError, ValidationError } from '@sleuth/core';
import { limitsAnything, type AttributeLimits, type LimitCounts } from './attribute-limits';
import { readJsonLogs, readJsonMetrics, readJsonTraces } from './json-reader';
import { isObject, type Limited } from './json-values';
import type { LogIn, MetricIn, RequestIn, SpanIn } from './otlp-model';
import { otlpType } from './otlp-proto';
import {
  readPbLogs,
  readPbMetrics,
  readPbTraces,
  type PbLogsRequest,
  type PbMetricsRequest,
  type PbTraceRequest,
} from './proto-reader';
import { RecordLimit } from './record-limit';
import { limitPbRequest } from './wire-limits';

/** The three OTLP signals, as in the OTLP/HTTP paths /v1/logs, /v1/metrics, /v1/traces. */
export type OtlpSignal = 'logs' | 'metrics' | 'traces';
/** The two OTLP/HTTP encodings: application/json and application/x-protobuf. */
export type OtlpEncoding = 'json' | 'protobuf';

/** Per signal: the request message and its top-level JSON field, camelCase and snake_case. */
export const SIGNALS = {
  logs: { request: 'ExportLogsServiceRequest', json: ['resourceLogs', 'resource_logs'] },
  metrics: { request: 'ExportMetricsServiceRequest', json: ['resourceMetrics', 'resource_metrics'] },
  traces: { request: 'ExportTraceServiceRequest', json: ['resourceSpans', 'resource_spans'] },
} as const satisfies Record<OtlpSignal, { request: string; json: readonly [string, string] }>;

function asBuffer(body: Uint8Array): Buffer {
  // protobufjs reads strings natively only from a Buffer; this is a view, not a copy.
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The limits a request is decoded under; those left out do not apply. */
export interface DecodeLimits {
  /**
   * Most records (and resources, scopes, metrics) in the request: `ingest.maxRecordsPerRequest`.
   * Past it PayloadTooLargeError, before the records are built.
   */
  maxRecords?: number;
  /** The attribute limits; what they cut is counted in `counts`. */
  attributes?: { limits: AttributeLimits; counts: LimitCounts };
}

/** The attribute limits to apply, when they can cut anything. */
function limitedBy(limits: DecodeLimits): Limited | undefined {
  const a = limits.attributes;
  return a !== undefined && limitsAnything(a.limits) ? a : undefined;
}

/**
 * Decodes protobuf bytes with the schema of otlp-proto.ts, after counting the request's entries
 * against `limit` (PayloadTooLargeError past it, before protobufjs builds anything) and cutting
 * what is past the attribute limits out of the bytes, so protobufjs never builds it. The result has
 * exactly the shape `T` describes (the reader types mirror that schema), which is the one claim this
 * cast makes.
 */
function decodeProtobuf<T>(signal: OtlpSignal, body: Uint8Array, limits: DecodeLimits): T {
  const name = SIGNALS[signal].request;
  const bytes = asBuffer(body);
  try {
    const limit = new RecordLimit(signal, limits.maxRecords ?? Infinity);
    const within = limitPbRequest(signal, bytes, limit, limitedBy(limits));
    return otlpType(name).decode(within) as unknown as T;
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw err;
    const hint = body[0] === 0x7b ? ' It looks like JSON: send it with Content-Type: application/json.' : '';
    throw new DecodeError(`The body is not a valid protobuf ${name}: ${errorText(err)}.${hint}`, { signal });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Parses an OTLP/JSON body and returns its top-level `resource<Signal>` list. Throws DecodeError for
 * text that is not JSON and ValidationError for JSON that is not an export request of this signal.
 */
function jsonResources(signal: OtlpSignal, body: Uint8Array): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(asBuffer(body).toString('utf8'));
  } catch (err) {
    throw new DecodeError(`The body is not valid JSON: ${errorText(err)}.`, { signal });
  }
  const [camel, snake] = SIGNALS[signal].json;
  if (!isObject(parsed)) {
    throw new ValidationError(
      `An OTLP/JSON ${signal} request must be a JSON object with a "${camel}" array.`,
      { signal },
    );
  }
  const list = parsed[camel] ?? parsed[snake];
  if (list === undefined || list === null) {
    for (const [other, spec] of Object.entries(SIGNALS)) {
      if (other !== signal && (parsed[spec.json[0]] !== undefined || parsed[spec.json[1]] !== undefined)) {
        throw new ValidationError(
          `This is an OTLP ${other} request ("${spec.json[0]}"); send it to /v1/${other}.`,
          {
            signal,
          },
        );
      }
    }
    return [];
  }
  if (!Array.isArray(list)) throw new ValidationError(`"${camel}" must be an array.`, { signal });
  return list;
}

/**
 * Decodes an OTLP logs request body into the shared model, under `limits`: PayloadTooLargeError when
 * it holds more than `maxRecords` log records (or resources or scopes), counted before they are
 * built; attributes past the attribute limits dropped or cut, and counted.
 */
export function decodeLogs(
  encoding: OtlpEncoding,
  body: Uint8Array,
  limits: DecodeLimits = {},
): RequestIn<LogIn> {
  const records = new RecordLimit('logs', limits.maxRecords ?? Infinity);
  return encoding === 'json'
    ? readJsonLogs(jsonResources('logs', body), records, limitedBy(limits))
    : readPbLogs(decodeProtobuf<PbLogsRequest>('logs', body, limits));
}

/** Decodes an OTLP metrics request body into the shared model, under `limits` as decodeLogs. */
export function decodeMetrics(
  encoding: OtlpEncoding,
  body: Uint8Array,
  limits: DecodeLimits = {},
): RequestIn<MetricIn> {
  const records = new RecordLimit('metrics', limits.maxRecords ?? Infinity);
  return encoding === 'json'
    ? readJsonMetrics(jsonResources('metrics', body), records, limitedBy(limits))
    : readPbMetrics(decodeProtobuf<PbMetricsRequest>('metrics', body, limits));
}

/** Decodes an OTLP traces request body into the shared model, under `limits` as decodeLogs. */
export function decodeTraces(
  encoding: OtlpEncoding,
  body: Uint8Array,
  limits: DecodeLimits = {},
): RequestIn<SpanIn> {
  const records = new RecordLimit('traces', limits.maxRecords ?? Infinity);
  return encoding === 'json'
    ? readJsonTraces(jsonResources('traces', body), records, limitedBy(limits))
    : readPbTraces(decodeProtobuf<PbTraceRequest>('traces', body, limits));
}
