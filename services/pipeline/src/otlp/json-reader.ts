import { CUMULATIVE } from './otlp-model';
import type {
  ExponentialHistogramPointIn,
  HistogramPointIn,
  LogIn,
  MetricDataIn,
  MetricIn,
  NumberPointIn,
  RequestIn,
  SpanEventIn,
  SpanIn,
  SummaryPointIn,
} from './otlp-model';
import {
  field,
  isObject,
  jsonAnyValue,
  jsonAttributes,
  jsonDouble,
  jsonEnum,
  jsonId,
  jsonInt,
  jsonNanos,
  list,
  str,
  type JsonObject,
  type Limited,
} from './json-values';
import type { EntryKind, RecordLimit } from './record-limit';

const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
const TEMPORALITIES = [
  'AGGREGATION_TEMPORALITY_UNSPECIFIED',
  'AGGREGATION_TEMPORALITY_DELTA',
  'AGGREGATION_TEMPORALITY_CUMULATIVE',
] as const;
const SEVERITY_NUMBERS = ['SEVERITY_NUMBER_UNSPECIFIED'].concat(
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((s) =>
    ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${s}${n}`),
  ),
);

/**
 * Maps each element of a JSON list, `null` for elements that are not objects. The elements are
 * counted against the limit as `kind` first, so a list past it is refused before any is read.
 */
function each<T>(
  items: unknown[] | null,
  read: (o: JsonObject) => T,
  limit: RecordLimit,
  kind: EntryKind,
): (T | null)[] | null {
  if (items === null) return null;
  limit.add(kind, items.length);
  const out: (T | null)[] = new Array<T | null>(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i];
    out[i] = isObject(o) ? read(o) : null;
  }
  return out;
}

/** The items of a scope: their key (camelCase, snake_case), what they count as, and their reader. */
interface ItemsOf<T> {
  key: [string, string];
  kind: EntryKind;
  read: (o: JsonObject) => T;
}

/**
 * Reads `resource<Signal>` → `scope<Signal>` → items, keeping every index so rejections can name it.
 * Resources, scopes and items (counted as `kind`) are counted against the limit before they are read.
 */
function readResources<T>(
  resources: unknown[],
  scopesKey: [string, string],
  items: ItemsOf<T>,
  limit: RecordLimit,
  limited: Limited | undefined,
): RequestIn<T> {
  limit.add('resources', resources.length);
  const out: RequestIn<T> = [];
  for (const r of resources) {
    if (!isObject(r)) {
      out.push(null);
      continue;
    }
    const resource = r['resource'];
    const attributes = isObject(resource) ? jsonAttributes(resource['attributes'], limited) : {};
    const scopeList = list(r, scopesKey[0], scopesKey[1]);
    if (scopeList !== null) limit.add('scopes', scopeList.length);
    const scopes =
      scopeList === null
        ? [null]
        : scopeList.map((s) =>
            isObject(s) ? each(list(s, items.key[0], items.key[1]), items.read, limit, items.kind) : null,
          );
    out.push({ attributes, scopes });
  }
  return out;
}

function readLog(o: JsonObject, limited: Limited | undefined): LogIn {
  const body = o['body'];
  return {
    timeMs: jsonNanos(field(o, 'timeUnixNano', 'time_unix_nano')),
    observedMs: jsonNanos(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano')),
    severityNumber: jsonEnum(field(o, 'severityNumber', 'severity_number'), SEVERITY_NUMBERS),
    severityText: str(o, 'severityText', 'severity_text'),
    body: body === undefined || body === null ? undefined : jsonAnyValue(body),
    attributes: jsonAttributes(o['attributes'], limited),
    traceId: jsonId(field(o, 'traceId', 'trace_id')),
    spanId: jsonId(field(o, 'spanId', 'span_id')),
    eventName: str(o, 'eventName', 'event_name'),
  };
}

/**
 * Reads the `resourceLogs` list of an OTLP/JSON ExportLogsServiceRequest; attributes under
 * `limited` when given.
 */
export function readJsonLogs(resources: unknown[], limit: RecordLimit, limited?: Limited): RequestIn<LogIn> {
  const read = (o: JsonObject): LogIn => readLog(o, limited);
  const items: ItemsOf<LogIn> = { key: ['logRecords', 'log_records'], kind: 'records', read };
  return readResources(resources, ['scopeLogs', 'scope_logs'], items, limit, limited);
}

function pointBase(o: JsonObject, limited: Limited | undefined) {
  return {
    attributes: jsonAttributes(o['attributes'], limited),
    timeMs: jsonNanos(field(o, 'timeUnixNano', 'time_unix_nano')),
  };
}

function numberPoint(o: JsonObject, { limited }: PointReading): NumberPointIn {
  const d = field(o, 'asDouble', 'as_double');
  const i = field(o, 'asInt', 'as_int');
  const value =
    d !== undefined && d !== null ? jsonDouble(d) : i !== undefined && i !== null ? jsonInt(i) : undefined;
  return { ...pointBase(o, limited), value };
}

function histogramPoint(o: JsonObject, { limit, limited }: PointReading): HistogramPointIn {
  const counts = field(o, 'bucketCounts', 'bucket_counts');
  const bounds = field(o, 'explicitBounds', 'explicit_bounds');
  // Each bucket becomes a sample: counted before the arrays are read.
  limit.add(
    'values',
    (Array.isArray(counts) ? counts.length : 0) + (Array.isArray(bounds) ? bounds.length : 0),
  );
  return {
    ...pointBase(o, limited),
    count: jsonInt(o['count']),
    sum: jsonDouble(o['sum']),
    bucketCounts: Array.isArray(counts) ? counts.map(jsonInt) : [],
    explicitBounds: Array.isArray(bounds) ? bounds.map((b) => jsonDouble(b) ?? NaN) : [],
  };
}

function exponentialPoint(o: JsonObject, { limited }: PointReading): ExponentialHistogramPointIn {
  return { ...pointBase(o, limited), count: jsonInt(o['count']), sum: jsonDouble(o['sum']) };
}

function summaryPoint(o: JsonObject, { limit, limited }: PointReading): SummaryPointIn {
  const qs = field(o, 'quantileValues', 'quantile_values');
  // Each quantile becomes a sample: counted before the list is read.
  if (Array.isArray(qs)) limit.add('values', qs.length);
  // An absent double is 0, as in protobuf: protojson encoders leave zero values out.
  const quantiles = (Array.isArray(qs) ? qs : []).filter(isObject).map((q) => ({
    quantile: jsonDouble(q['quantile']) ?? 0,
    value: jsonDouble(q['value']) ?? 0,
  }));
  return { ...pointBase(o, limited), count: jsonInt(o['count']), sum: jsonDouble(o['sum']) ?? 0, quantiles };
}

/** How one metric's points are read: the record limit they count toward and their attribute limits. */
interface PointReading {
  limit: RecordLimit;
  limited: Limited | undefined;
}

function points<T>(
  data: JsonObject,
  read: (o: JsonObject, how: PointReading) => T,
  how: PointReading,
): (T | null)[] {
  const one = (o: JsonObject): T => read(o, how);
  return each(list(data, 'dataPoints', 'data_points'), one, how.limit, 'records') ?? [null];
}

function cumulative(data: JsonObject): boolean {
  return (
    jsonEnum(field(data, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITIES) === CUMULATIVE
  );
}

function metricData(o: JsonObject, how: PointReading): MetricDataIn | undefined {
  const gauge = o['gauge'];
  if (isObject(gauge)) return { type: 'gauge', points: points(gauge, numberPoint, how) };
  const sum = o['sum'];
  if (isObject(sum)) {
    const monotonic = field(sum, 'isMonotonic', 'is_monotonic') === true;
    return { type: 'sum', monotonic, cumulative: cumulative(sum), points: points(sum, numberPoint, how) };
  }
  const hist = o['histogram'];
  if (isObject(hist))
    return { type: 'histogram', cumulative: cumulative(hist), points: points(hist, histogramPoint, how) };
  const exp = field(o, 'exponentialHistogram', 'exponential_histogram');
  if (isObject(exp)) {
    return {
      type: 'exponentialHistogram',
      cumulative: cumulative(exp),
      points: points(exp, exponentialPoint, how),
    };
  }
  const summary = o['summary'];
  if (isObject(summary)) return { type: 'summary', points: points(summary, summaryPoint, how) };
  return undefined;
}

/**
 * Reads the `resourceMetrics` list of an OTLP/JSON ExportMetricsServiceRequest; attributes under
 * `limited` when given.
 */
export function readJsonMetrics(
  resources: unknown[],
  limit: RecordLimit,
  limited?: Limited,
): RequestIn<MetricIn> {
  const how: PointReading = { limit, limited };
  const read = (o: JsonObject): MetricIn => ({
    name: str(o, 'name', 'name'),
    unit: str(o, 'unit', 'unit'),
    data: metricData(o, how),
  });
  const items: ItemsOf<MetricIn> = { key: ['metrics', 'metrics'], kind: 'metrics', read };
  return readResources(resources, ['scopeMetrics', 'scope_metrics'], items, limit, limited);
}

/** A span's events: at most `maxEvents` of those that are objects, the rest counted as dropped. */
function spanEvents(o: JsonObject, limited: Limited | undefined): SpanEventIn[] {
  let events = (list(o, 'events', 'events') ?? []).filter(isObject);
  const max = limited?.limits.maxEvents ?? Infinity;
  if (limited !== undefined && events.length > max) {
    limited.counts.droppedEvents += events.length - max;
    events = events.slice(0, max);
  }
  return events.map((e) => ({
    name: str(e, 'name', 'name'),
    timeMs: jsonNanos(field(e, 'timeUnixNano', 'time_unix_nano')),
    attributes: jsonAttributes(e['attributes'], limited),
  }));
}

function readSpan(o: JsonObject, limited: Limited | undefined): SpanIn {
  const status = o['status'];
  const st = isObject(status) ? status : {};
  return {
    traceId: jsonId(field(o, 'traceId', 'trace_id')),
    spanId: jsonId(field(o, 'spanId', 'span_id')),
    parentSpanId: jsonId(field(o, 'parentSpanId', 'parent_span_id')),
    name: str(o, 'name', 'name'),
    kind: jsonEnum(o['kind'], SPAN_KINDS),
    startMs: jsonNanos(field(o, 'startTimeUnixNano', 'start_time_unix_nano')),
    endMs: jsonNanos(field(o, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: jsonAttributes(o['attributes'], limited),
    events: spanEvents(o, limited),
    statusCode: jsonEnum(st['code'], STATUS_CODES),
    statusMessage: str(st, 'message', 'message'),
  };
}

/**
 * Reads the `resourceSpans` list of an OTLP/JSON ExportTraceServiceRequest; attributes and events
 * under `limited` when given.
 */
export function readJsonTraces(
  resources: unknown[],
  limit: RecordLimit,
  limited?: Limited,
): RequestIn<SpanIn> {
  const read = (o: JsonObject): SpanIn => readSpan(o, limited);
  const items: ItemsOf<SpanIn> = { key: ['spans', 'spans'], kind: 'records', read };
  return readResources(resources, ['scopeSpans', 'scope_spans'], items, limit, limited);
}
