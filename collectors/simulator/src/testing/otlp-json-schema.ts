import { z } from 'zod';

/**
 * Strict schemas of the OTLP/JSON export requests (opentelemetry-proto JSON mapping) for tests:
 * unknown or snake_case fields, numeric 64-bit integers and malformed ids all fail.
 */
const nanos = z.string().regex(/^\d{1,20}$/, 'int64 nanoseconds as a decimal string');
const int64 = z.string().regex(/^-?\d{1,20}$/, 'int64 as a decimal string');
const hexId = (length: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${length}}$`))
    .refine((s) => !/^0+$/.test(s), 'all-zero id');

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: { key: string; value: AnyValue }[] } }
  | Record<string, never>;

export const AnyValueSchema: z.ZodType<AnyValue> = z.lazy(() =>
  z.union([
    z.object({ stringValue: z.string() }).strict(),
    z.object({ boolValue: z.boolean() }).strict(),
    z.object({ intValue: int64 }).strict(),
    z.object({ doubleValue: z.number() }).strict(),
    z.object({ arrayValue: z.object({ values: z.array(AnyValueSchema) }).strict() }).strict(),
    z.object({ kvlistValue: z.object({ values: z.array(KeyValueSchema) }).strict() }).strict(),
    z.object({}).strict(),
  ]),
);
export const KeyValueSchema = z.object({ key: z.string().min(1), value: AnyValueSchema }).strict();
const attributes = z.array(KeyValueSchema);
const resource = z.object({ attributes }).strict();
const scope = z.object({ name: z.string(), version: z.string().optional() }).strict();

export const ExportLogsSchema = z
  .object({
    resourceLogs: z.array(
      z
        .object({
          resource,
          scopeLogs: z.array(
            z
              .object({
                scope,
                logRecords: z.array(
                  z
                    .object({
                      timeUnixNano: nanos,
                      observedTimeUnixNano: nanos,
                      severityNumber: z.number().int().min(0).max(24).optional(),
                      severityText: z.string().optional(),
                      body: AnyValueSchema,
                      attributes,
                      traceId: hexId(32).optional(),
                      spanId: hexId(16).optional(),
                      flags: z.number().int().optional(),
                    })
                    .strict(),
                ),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

const numberPoint = z
  .object({
    attributes,
    startTimeUnixNano: nanos.optional(),
    timeUnixNano: nanos,
    asDouble: z.number().optional(),
    asInt: int64.optional(),
  })
  .strict()
  .refine((p) => (p.asDouble === undefined) !== (p.asInt === undefined), 'exactly one of asDouble, asInt');
const histogramPoint = z
  .object({
    attributes,
    startTimeUnixNano: nanos,
    timeUnixNano: nanos,
    count: int64,
    sum: z.number(),
    bucketCounts: z.array(int64),
    explicitBounds: z.array(z.number()),
  })
  .strict()
  .refine((p) => p.bucketCounts.length === p.explicitBounds.length + 1, 'one more bucket than bounds');
const metricBase = { name: z.string().min(1), unit: z.string(), description: z.string() };
const metric = z.union([
  z.object({ ...metricBase, gauge: z.object({ dataPoints: z.array(numberPoint) }).strict() }).strict(),
  z
    .object({
      ...metricBase,
      sum: z
        .object({
          dataPoints: z.array(numberPoint),
          aggregationTemporality: z.literal(2),
          isMonotonic: z.boolean(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      ...metricBase,
      histogram: z
        .object({ dataPoints: z.array(histogramPoint), aggregationTemporality: z.literal(2) })
        .strict(),
    })
    .strict(),
]);

export const ExportMetricsSchema = z
  .object({
    resourceMetrics: z.array(
      z
        .object({ resource, scopeMetrics: z.array(z.object({ scope, metrics: z.array(metric) }).strict()) })
        .strict(),
    ),
  })
  .strict();

const span = z
  .object({
    traceId: hexId(32),
    spanId: hexId(16),
    parentSpanId: hexId(16).optional(),
    name: z.string().min(1),
    kind: z.number().int().min(1).max(5),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: z.array(z.object({ timeUnixNano: nanos, name: z.string(), attributes }).strict()),
    status: z.object({ code: z.number().int().min(0).max(2), message: z.string().optional() }).strict(),
    flags: z.number().int().optional(),
  })
  .strict()
  .refine((s) => BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano), 'span ends before it starts');

export const ExportTracesSchema = z
  .object({
    resourceSpans: z.array(
      z
        .object({ resource, scopeSpans: z.array(z.object({ scope, spans: z.array(span) }).strict()) })
        .strict(),
    ),
  })
  .strict();
