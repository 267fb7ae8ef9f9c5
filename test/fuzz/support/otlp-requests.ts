import fc from 'fast-check';
import type { OtlpSignal } from '@sleuth/pipeline';
import {
  blankedJson,
  hexId,
  mutatedJson,
  numericString,
  text,
  wildJson,
  wildNumber,
  wildScalar,
  wildString,
} from './arbitraries';

/**
 * Valid OTLP/JSON export requests for each signal, in the form both receivers must read alike:
 * int64 and fixed64 as decimal strings, non-finite doubles as "NaN" / "Infinity", lowercase hex ids,
 * canonical base64 bytes. Like a protojson encoder, a field holding its default value is sometimes
 * left out. `hostileRequest` turns them into requests a careless or malicious sender could write.
 */

type Json = Record<string, unknown>;

/** Leaves a field out when it holds its default value and the coin says so (proto3 JSON omits them). */
function compact(o: Json, omitDefaults: boolean): Json {
  if (!omitDefaults) return o;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    const isDefault = v === 0 || v === '0' || v === '' || v === false || (Array.isArray(v) && v.length === 0);
    if (!isDefault) out[k] = v;
  }
  return out;
}

const nanos = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    // Around now, where real timestamps are.
    fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }),
    fc.constantFrom(0n, 1n, 999_999n, 1_000_000n),
  )
  .map(String);

const int64 = fc
  .oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n }))
  .map(String);
const fixed64 = fc
  .oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 1000n }))
  .map(String);

/** A double as OTLP/JSON writes it; -0 is left out (JSON cannot tell it from 0). */
const double: fc.Arbitrary<number | string> = fc
  .oneof(fc.double(), fc.constantFrom(0, 1, 0.5, -1))
  .filter((d) => !Object.is(d, -0))
  .map((d) => (Number.isFinite(d) ? d : String(d)));

export interface KeyValueJson {
  key: string;
  value: Json;
}

const anyValues = fc.letrec<{ value: Json; kv: KeyValueJson }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((s) => ({ stringValue: s })),
    fc.boolean().map((b) => ({ boolValue: b })),
    int64.map((i) => ({ intValue: i })),
    double.map((d) => ({ doubleValue: d })),
    fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytesValue: Buffer.from(b).toString('base64') })),
    fc.constant({}),
    fc.array(tie('value'), { maxLength: 2 }).map((values) => ({ arrayValue: { values } })),
    fc.array(tie('kv'), { maxLength: 2 }).map((values) => ({ kvlistValue: { values } })),
  ),
  kv: fc.record({ key: text, value: tie('value') }),
}));

export const anyValue = anyValues.value;
const attributes = fc.array(anyValues.kv, { maxLength: 2 });

/** Resource attributes that route records: clusters, namespaces, pods, services. */
const resourceAttributes = fc.array(
  fc.record({
    key: fc.constantFrom(
      'k8s.cluster.name',
      'k8s.namespace.name',
      'k8s.pod.name',
      'k8s.container.name',
      'k8s.deployment.name',
      'service.name',
      'host.name',
    ),
    value: fc.oneof(text, fc.constantFrom('prod', 'shop', 'api-7d9f')).map((s) => ({ stringValue: s })),
  }),
  { maxLength: 3 },
);

/** Per signal: the request's resource list, each resource's scope list, each scope's item list. */
export const OTLP_NAMES: Record<OtlpSignal, readonly [string, string, string]> = {
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
};

function envelope(signal: OtlpSignal, items: fc.Arbitrary<Json[]>, omit: boolean): fc.Arbitrary<Json> {
  const [top, scopes, list] = OTLP_NAMES[signal];
  const scope = fc
    .record({ name: text, items })
    .map(({ name, items: xs }) => compact({ scope: compact({ name }, omit), [list]: xs }, omit));
  const resource = fc
    .record({ attributes: resourceAttributes, scopes: fc.array(scope, { minLength: 1, maxLength: 1 }) })
    .map((r) => compact({ resource: { attributes: r.attributes }, [scopes]: r.scopes }, omit));
  return fc.array(resource, { minLength: 1, maxLength: 2 }).map((rs) => ({ [top]: rs }));
}

function logRecord(omit: boolean): fc.Arbitrary<Json> {
  return fc
    .record(
      {
        timeUnixNano: nanos,
        observedTimeUnixNano: nanos,
        severityNumber: fc.integer({ min: 0, max: 30 }),
        severityText: fc.oneof(text, fc.constantFrom('INFO', 'warn', 'Error3', 'CRITICAL')),
        body: anyValue,
        attributes,
        traceId: fc.oneof(hexId(16), fc.constant('')),
        spanId: fc.oneof(hexId(8), fc.constant('')),
        eventName: text,
      },
      { requiredKeys: ['timeUnixNano', 'severityNumber'] },
    )
    .map((r) => compact(r, omit));
}

const pointBase = { attributes, timeUnixNano: nanos, startTimeUnixNano: nanos };

function numberPoint(omit: boolean): fc.Arbitrary<Json> {
  return fc
    .record({
      ...pointBase,
      value: fc.oneof(
        double.map((d) => ({ asDouble: d })),
        int64.map((i) => ({ asInt: i })),
        fc.constant({}),
      ),
    })
    .map(({ value, ...p }) => ({ ...compact(p, omit), ...value }));
}

function histogramPoint(omit: boolean): fc.Arbitrary<Json> {
  return fc
    .record({
      ...pointBase,
      count: fixed64,
      sum: fc.option(double, { nil: undefined }),
      bucketCounts: fc.array(fixed64, { maxLength: 3 }),
      explicitBounds: fc.array(double, { maxLength: 2 }),
    })
    .map(({ sum, ...p }) => ({ ...compact(p, omit), ...(sum === undefined ? {} : { sum }) }));
}

function exponentialPoint(omit: boolean): fc.Arbitrary<Json> {
  return fc
    .record({ ...pointBase, count: fixed64, sum: fc.option(double, { nil: undefined }) })
    .map(({ sum, ...p }) => ({ ...compact(p, omit), ...(sum === undefined ? {} : { sum }) }));
}

function summaryPoint(omit: boolean): fc.Arbitrary<Json> {
  const quantile = fc.record({ quantile: double, value: double }).map((q) => compact(q, omit));
  return fc
    .record({
      ...pointBase,
      count: fixed64,
      sum: double,
      quantileValues: fc.array(quantile, { maxLength: 2 }),
    })
    .map((p) => compact(p, omit));
}

function metric(omit: boolean): fc.Arbitrary<Json> {
  const points = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { maxLength: 2 });
  const temporality = fc.integer({ min: 0, max: 2 });
  const data = fc.oneof(
    points(numberPoint(omit)).map((dataPoints) => ({ gauge: compact({ dataPoints }, omit) })),
    fc
      .record({
        dataPoints: points(numberPoint(omit)),
        aggregationTemporality: temporality,
        isMonotonic: fc.boolean(),
      })
      .map((s) => ({ sum: compact(s, omit) })),
    fc
      .record({ dataPoints: points(histogramPoint(omit)), aggregationTemporality: temporality })
      .map((h) => ({ histogram: compact(h, omit) })),
    fc
      .record({ dataPoints: points(exponentialPoint(omit)), aggregationTemporality: temporality })
      .map((h) => ({ exponentialHistogram: compact(h, omit) })),
    points(summaryPoint(omit)).map((dataPoints) => ({ summary: compact({ dataPoints }, omit) })),
    fc.constant({}),
  );
  const name = fc.oneof(text, fc.constantFrom('http_requests_total', 'queue.depth', 'rpc.duration'));
  return fc
    .record({ name, unit: fc.oneof(text, fc.constantFrom('s', 'By', '1')), data })
    .map(({ data: d, ...m }) => ({ ...compact(m, omit), ...d }));
}

function span(omit: boolean): fc.Arbitrary<Json> {
  const event = fc.record({ timeUnixNano: nanos, name: text, attributes }).map((e) => compact(e, omit));
  const status = fc
    .record({ message: text, code: fc.integer({ min: 0, max: 2 }) })
    .map((s) => compact(s, omit));
  return fc
    .record(
      {
        traceId: hexId(16),
        spanId: hexId(8),
        parentSpanId: fc.oneof(hexId(8), fc.constant('')),
        name: text,
        kind: fc.integer({ min: 0, max: 5 }),
        startTimeUnixNano: nanos,
        endTimeUnixNano: nanos,
        attributes,
        events: fc.array(event, { maxLength: 2 }),
        status,
      },
      { requiredKeys: ['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano'] },
    )
    .map((s) => compact(s, omit));
}

const ITEMS: Record<OtlpSignal, (omit: boolean) => fc.Arbitrary<Json>> = {
  logs: logRecord,
  metrics: metric,
  traces: span,
};

const valid = new Map<OtlpSignal, fc.Arbitrary<Json>>();

/** A valid export request of `signal`, sometimes with default-valued fields left out. */
export function validRequest(signal: OtlpSignal): fc.Arbitrary<Json> {
  let arb = valid.get(signal);
  if (arb === undefined) {
    const of = (omit: boolean) =>
      envelope(signal, fc.array(ITEMS[signal](omit), { minLength: 1, maxLength: 2 }), omit);
    arb = fc.oneof(of(false), of(true));
    valid.set(signal, arb);
  }
  return arb;
}

/** A Kubernetes object as an AnyValue kvlist, its fields sometimes of the wrong type. */
const wildObject: fc.Arbitrary<Json> = fc
  .record({
    kind: fc.oneof(fc.constantFrom('Pod', 'Event', 'Secret', 'Deployment'), wildString),
    apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'events.k8s.io/v1'), wildString),
    name: fc.oneof(text, wildString),
    namespace: fc.oneof(text, wildString),
    extra: fc.oneof(wildScalar, wildJson),
  })
  .map((o) => ({
    kvlistValue: {
      values: [
        { key: 'kind', value: { stringValue: o.kind } },
        { key: 'apiVersion', value: { stringValue: o.apiVersion } },
        {
          key: 'metadata',
          value: {
            kvlistValue: {
              values: [
                { key: 'name', value: { stringValue: o.name } },
                { key: 'namespace', value: { stringValue: o.namespace } },
              ],
            },
          },
        },
        { key: 'data', value: o.extra },
        { key: 'involvedObject', value: o.extra },
        { key: 'lastTimestamp', value: { stringValue: JSON.stringify(o.extra) } },
      ],
    },
  }));

const hostile = new Map<OtlpSignal, fc.Arbitrary<unknown>>();

/**
 * Requests a careless or hostile sender could write: valid ones with fields replaced by wild values
 * (wrong types, huge and non-finite numbers, deep nesting, lone surrogates, long strings) or removed,
 * Kubernetes object and event records with mangled bodies, and envelopes of the wrong shape.
 */
export function hostileRequest(signal: OtlpSignal): fc.Arbitrary<unknown> {
  let arb = hostile.get(signal);
  if (arb === undefined) {
    arb = buildHostile(signal);
    hostile.set(signal, arb);
  }
  return arb;
}

function buildHostile(signal: OtlpSignal): fc.Arbitrary<unknown> {
  const k8sRecord = fc
    .record({
      body: fc.oneof(anyValue, wildJson),
      reason: fc.oneof(wildString, fc.constant('BackOff')),
      domain: fc.constantFrom('k8s', 'other'),
      time: fc.oneof(nanos, numericString, wildNumber),
    })
    .map((r) => ({
      timeUnixNano: r.time,
      body: r.body,
      attributes: [
        { key: 'event.domain', value: { stringValue: r.domain } },
        { key: 'k8s.resource.name', value: { stringValue: 'pods' } },
        { key: 'k8s.event.reason', value: { stringValue: r.reason } },
      ],
    }));
  const k8sObject = fc
    .record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'), object: wildObject })
    .map((w) => ({
      body: {
        kvlistValue: {
          values: [
            { key: 'type', value: { stringValue: w.type } },
            { key: 'object', value: w.object },
          ],
        },
      },
      attributes: [{ key: 'event.domain', value: { stringValue: 'k8s' } }],
    }));
  const special =
    signal === 'logs'
      ? fc.oneof(k8sRecord, k8sObject).map((r) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [r] }] }] }))
      : validRequest(signal);
  return fc.oneof(
    mutatedJson(validRequest(signal)),
    blankedJson(validRequest(signal)),
    mutatedJson(special),
    fc.record(
      { resourceLogs: wildJson, resourceMetrics: wildJson, resourceSpans: wildJson },
      { requiredKeys: [] },
    ),
  );
}

/** Records of a request, counted the way rejections count them (log records, data points, spans). */
export function itemCount(signal: OtlpSignal, request: unknown): number {
  const [top, scopes, list] = OTLP_NAMES[signal];
  let n = 0;
  for (const r of asObjects((request as Json)[top])) {
    for (const s of asObjects(r[scopes])) {
      const items = asObjects(s[list]);
      if (signal !== 'metrics') n += items.length;
      else for (const m of items) n += pointsOf(m);
    }
  }
  return n;
}

const asObjects = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function pointsOf(m: Json): number {
  for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
    const d = m[k] as Json | undefined;
    if (d !== undefined) return asObjects(d['dataPoints']).length;
  }
  return 0;
}
