export type { OtlpEncoding, OtlpSignal } from './otlp/otlp-decode';
export { encodeOtlpRequest, encodeOtlpResponse } from './otlp/otlp-encode';
export { ingestOtlp, type IngestContext, type IngestResult, type LimitedCounts } from './otlp/ingest-otlp';
export { attributeLimitsOf, type AttributeLimits } from './otlp/attribute-limits';
export { redactText } from './stages/redaction';
export { anyValue, keyValues, logsRequest, metricsRequest, tracesRequest } from './otlp/otlp-json-builders';
export type { JsonObject } from './otlp/json-values';
export {
  ingestRemoteWrite,
  type RemoteWriteContext,
  type RemoteWriteResult,
  type RemoteWriteSkipped,
} from './remote-write/ingest-remote-write';
export { MetricFamilies } from './remote-write/metric-families';
export {
  encodeWriteRequest,
  encodeWriteRequestProto,
  STALE,
  type MetadataToWrite,
  type SeriesToWrite,
} from './remote-write/write-request-encode';
