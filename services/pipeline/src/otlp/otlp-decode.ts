import { DecodeError, PayloadTooLargeError, ValidationError } from '@sleuth/core';
import { readJsonLogs, readJsonMetrics, readJsonTraces } from './json-reader';
import { isObject } from './json-values';
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
import { countPbEntries, RecordLimit } from './record-limit';

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

/**
 * Decodes protobuf bytes with the schema of otlp-proto.ts, after counting the request's entries
 * against `limit` (PayloadTooLargeError past it, before protobufjs builds anything). The result has
 * exactly the shape `T` describes (the reader types mirror that schema), which is the one claim this
 * cast makes.
 */
function decodeProtobuf<T>(signal: OtlpSignal, body: Uint8Array, limit: RecordLimit): T {
  const name = SIGNALS[signal].request;
  const bytes = asBuffer(body);
  try {
    countPbEntries(signal, bytes, limit);
    return otlpType(name).decode(bytes) as unknown as T;
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
 * Decodes an OTLP logs request body into the shared model. Throws PayloadTooLargeError when it holds
 * more than `maxRecords` log records (or resources or scopes), counted before they are built.
 */
export function decodeLogs(
  encoding: OtlpEncoding,
  body: Uint8Array,
  maxRecords = Infinity,
): RequestIn<LogIn> {
  const limit = new RecordLimit('logs', maxRecords);
  return encoding === 'json'
    ? readJsonLogs(jsonResources('logs', body), limit)
    : readPbLogs(decodeProtobuf<PbLogsRequest>('logs', body, limit));
}

/** Decodes an OTLP metrics request body into the shared model; `maxRecords` bounds its data points as in decodeLogs. */
export function decodeMetrics(
  encoding: OtlpEncoding,
  body: Uint8Array,
  maxRecords = Infinity,
): RequestIn<MetricIn> {
  const limit = new RecordLimit('metrics', maxRecords);
  return encoding === 'json'
    ? readJsonMetrics(jsonResources('metrics', body), limit)
    : readPbMetrics(decodeProtobuf<PbMetricsRequest>('metrics', body, limit));
}

/** Decodes an OTLP traces request body into the shared model; `maxRecords` bounds its spans as in decodeLogs. */
export function decodeTraces(
  encoding: OtlpEncoding,
  body: Uint8Array,
  maxRecords = Infinity,
): RequestIn<SpanIn> {
  const limit = new RecordLimit('traces', maxRecords);
  return encoding === 'json'
    ? readJsonTraces(jsonResources('traces', body), limit)
    : readPbTraces(decodeProtobuf<PbTraceRequest>('traces', body, limit));
}
