import protobuf from 'protobufjs';
import { ValidationError } from '@sleuth/core';
import { isObject, type JsonObject } from './json-values';
import { SIGNALS, type OtlpEncoding, type OtlpSignal } from './otlp-decode';
import { otlpType } from './otlp-proto';

/** Fields that OTLP/JSON spells as hex rather than the protobuf JSON mapping's base64. */
const HEX_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function hexToBytes(v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new ValidationError(`${path} must be a hex string.`);
  }
  return Buffer.from(v, 'hex');
}

/**
 * Rewrites an OTLP/JSON message into the plain object protobufjs's `fromObject` expects: snake_case
 * names to lowerCamelCase, hex ids to bytes, base64 `bytesValue` to bytes. Numbers, int64 strings and
 * enums as integers pass through, as `fromObject` reads them. Unknown fields are dropped.
 */
function toProtoObject(type: protobuf.Type, json: JsonObject, path: string): JsonObject {
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const v = json[field.name] ?? json[snakeCase(field.name)];
    if (v === undefined || v === null) continue;
    const at = `${path}.${field.name}`;
    const sub = field.resolve().resolvedType;
    if (sub instanceof protobuf.Type) {
      const message = (x: unknown, p: string): JsonObject => {
        if (!isObject(x)) throw new ValidationError(`${p} must be an object.`);
        return toProtoObject(sub, x, p);
      };
      if (!field.repeated) out[field.name] = message(v, at);
      else if (Array.isArray(v)) out[field.name] = v.map((x, i) => message(x, `${at}[${i}]`));
      else throw new ValidationError(`${at} must be an array.`);
    } else if (field.type === 'bytes') {
      out[field.name] = HEX_FIELDS.has(field.name)
        ? hexToBytes(v, at)
        : typeof v === 'string'
          ? Buffer.from(v, 'base64')
          : v;
    } else out[field.name] = v;
  }
  return out;
}

/**
 * Encodes an OTLP export request given in OTLP/JSON form (hex ids, lowerCamelCase or snake_case names,
 * int64 as strings or numbers, enums as integers) as protobuf bytes. Throws ValidationError when the
 * input does not fit the message.
 */
export function encodeOtlpRequest(signal: OtlpSignal, requestJson: unknown): Uint8Array {
  const name = SIGNALS[signal].request;
  if (!isObject(requestJson)) throw new ValidationError(`An OTLP ${signal} request must be an object.`);
  const type = otlpType(name);
  const plain = toProtoObject(type, requestJson, name);
  try {
    return type.encode(type.fromObject(plain)).finish();
  } catch (err) {
    throw new ValidationError(
      `Cannot encode the ${name}: ${err instanceof Error ? err.message : String(err)}.`,
    );
  }
}

const RESPONSES = {
  logs: { message: 'ExportLogsServiceResponse', rejected: 'rejectedLogRecords' },
  metrics: { message: 'ExportMetricsServiceResponse', rejected: 'rejectedDataPoints' },
  traces: { message: 'ExportTraceServiceResponse', rejected: 'rejectedSpans' },
} as const satisfies Record<OtlpSignal, { message: string; rejected: string }>;

/**
 * The Export<Signal>ServiceResponse body: `partial_success` (rejected count and error message) when
 * anything was rejected or there is a message to pass on, else an empty response. Protobuf bytes for
 * 'protobuf', a JSON string for 'json' (the count as a JSON number).
 */
export function encodeOtlpResponse(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  r: { rejected: number; errorMessage?: string },
): Uint8Array | string {
  const spec = RESPONSES[signal];
  const message = r.errorMessage ?? '';
  const response: JsonObject = {};
  if (r.rejected > 0 || message !== '') {
    const partial: JsonObject = { [spec.rejected]: r.rejected };
    if (message !== '') partial['errorMessage'] = message;
    response['partialSuccess'] = partial;
  }
  if (encoding === 'json') return JSON.stringify(response);
  const type = otlpType(spec.message);
  return type.encode(type.fromObject(response)).finish();
}
