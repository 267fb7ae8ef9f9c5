import { z } from 'zod';

/**
 * The Prometheus HTTP API (v1) as far as Sleuth reads it, validated before use: every answer is an
 * envelope `{status, data, errorType, error, warnings}`; a query's data is `{resultType, result}`,
 * a series lookup's data a list of label sets. Unknown fields are ignored (newer Prometheus
 * versions and compatible servers add some).
 */
export const ApiEnvelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});

/** A sample as the API writes it: `[unix seconds, "value"]`, the value text (`"NaN"`, `"+Inf"` too). */
export const ApiSample = z.tuple([z.number(), z.string()]);

const Labels = z.record(z.string(), z.string());

/** Native-histogram samples (`histogram`, `histograms`) are accepted and left out. */
export const QueryData = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: Labels, value: ApiSample.optional() })),
  }),
  z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: Labels, values: z.array(ApiSample).optional() })),
  }),
  z.object({ resultType: z.literal('scalar'), result: ApiSample }),
  z.object({ resultType: z.literal('string'), result: ApiSample }),
]);
export type QueryData = z.infer<typeof QueryData>;

export const SeriesData = z.array(Labels);
