export type { OtlpEncoding, OtlpSignal } from './otlp/otlp-decode';
export { encodeOtlpRequest, encodeOtlpResponse } from './otlp/otlp-encode';
export { ingestOtlp, type IngestContext, type IngestResult } from './otlp/ingest-otlp';
export { redactText } from './stages/redaction';
export { anyValue, keyValues, logsRequest, metricsRequest, tracesRequest } from './otlp/otlp-json-builders';
export type { JsonObject } from './otlp/json-values';
