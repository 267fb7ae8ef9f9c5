/**
 * How much one OTLP record may carry, as OpenTelemetry SDKs bound it with their attribute limits
 * (https://opentelemetry.io/docs/specs/otel/common/#attribute-limits): what is past a limit is
 * dropped or cut, counted, and reported to the sender; the record itself is kept. Enforced while a
 * request is decoded (on the protobuf wire, before protobufjs builds anything, by wire-limits.ts;
 * for JSON while the parse tree is read into the model, by json-values.ts), so no record holds
 * more than the limits allow. Log bodies are not attributes and are not limited here.
 */
export interface AttributeLimits {
  /**
   * Most attributes (key-value pairs) of one attribute collection: a resource, log record, data
   * point, span or span event. The first ones sent are kept. An array or map value holds at most as
   * many elements, counted over all its nesting levels in the order sent.
   */
  maxAttributes: number;
  /** Longest string (UTF-8 bytes, cut on a character boundary) or byte array in an attribute value. */
  maxValueBytes: number;
  /**
   * Deepest nesting of arrays and maps in an attribute value: the attribute's own value is level
   * 1, and an array or map at this level keeps no elements.
   */
  maxDepth: number;
  /** Most events of one span; the first ones sent are kept. */
  maxEvents: number;
}

/** The `ingest` configuration keys the attribute limits come from. */
export interface AttributeLimitConfig {
  maxAttributesPerRecord: number;
  maxAttributeValueBytes: number;
  maxAttributeDepth: number;
  maxEventsPerSpan: number;
}

/** The attribute limits of the `ingest` configuration. */
export function attributeLimitsOf(ingest: AttributeLimitConfig): AttributeLimits {
  return {
    maxAttributes: ingest.maxAttributesPerRecord,
    maxValueBytes: ingest.maxAttributeValueBytes,
    maxDepth: ingest.maxAttributeDepth,
    maxEvents: ingest.maxEventsPerSpan,
  };
}

/** What no limit looks like: the decoders' default when a caller gives none. */
export const NO_ATTRIBUTE_LIMITS: AttributeLimits = {
  maxAttributes: Infinity,
  maxValueBytes: Infinity,
  maxDepth: Infinity,
  maxEvents: Infinity,
};

/** Whether `limits` can cut anything at all. */
export function limitsAnything(limits: AttributeLimits): boolean {
  return (
    Number.isFinite(limits.maxAttributes) ||
    Number.isFinite(limits.maxValueBytes) ||
    Number.isFinite(limits.maxDepth) ||
    Number.isFinite(limits.maxEvents)
  );
}

/** What the limits cut from one request. One instance per request. */
export class LimitCounts {
  /** Attributes dropped past `maxAttributes`, top-level pairs only. */
  droppedAttributes = 0;
  /** Attribute values changed: a string or byte array cut, or elements dropped (depth or count). */
  truncatedValues = 0;
  /** Span events dropped past `maxEvents`. */
  droppedEvents = 0;

  /**
   * The warning for the sender (OTLP partial success with nothing rejected), naming the
   * configuration keys; undefined when nothing was cut.
   */
  warning(limits: AttributeLimits): string | undefined {
    const parts: string[] = [];
    if (this.droppedAttributes > 0) {
      parts.push(
        `${this.droppedAttributes} attributes dropped past ingest.maxAttributesPerRecord (${limits.maxAttributes} per resource, record, data point, span or span event)`,
      );
    }
    if (this.truncatedValues > 0) {
      parts.push(
        `${this.truncatedValues} attribute values cut to ingest.maxAttributeValueBytes (${limits.maxValueBytes}), ingest.maxAttributeDepth (${limits.maxDepth}) or ${limits.maxAttributes} elements`,
      );
    }
    if (this.droppedEvents > 0) {
      parts.push(
        `${this.droppedEvents} span events dropped past ingest.maxEventsPerSpan (${limits.maxEvents})`,
      );
    }
    if (parts.length === 0) return undefined;
    return `${parts.join('; ')}; the records were stored without them`;
  }
}

/**
 * The longest prefix of `s` whose UTF-8 encoding has at most `max` bytes, cut on a character
 * boundary: what the protobuf reader keeps of the same string sent as UTF-8 bytes.
 */
export function cutUtf8(s: string, max: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so a string this short cannot be too long.
  if (s.length * 3 <= max) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  return buf.toString('utf8', 0, utf8Boundary(buf, 0, max));
}

/** Bytes given as base64 (OTLP/JSON `bytesValue`), cut to at most `max` bytes. */
export function cutBase64(b64: string, max: number): string {
  if ((b64.length / 4) * 3 <= max) return b64;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.length <= max ? b64 : bytes.subarray(0, max).toString('base64');
}

/**
 * Where to cut the UTF-8 text at `buf[start, ...)` to keep at most `max` bytes: `start + max`,
 * moved back past continuation bytes so no character is split.
 */
export function utf8Boundary(buf: Uint8Array, start: number, max: number): number {
  let end = start + max;
  while (end > start && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return end;
}
