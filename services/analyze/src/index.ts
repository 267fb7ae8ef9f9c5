export { buildTopology } from './topology/build';
export {
  EDGE_KINDS,
  TopologyGraph,
  type EdgeKind,
  type Reached,
  type TopologyEdge,
  type TopologyNode,
} from './topology/graph';
export { TOPOLOGY_KINDS, TopologySource, type TopologySourceOptions } from './topology/source';
export {
  Correlator,
  DEFAULT_CORRELATOR_OPTIONS,
  type CorrelatorOptions,
  type TopologyLookup,
} from './correlator/correlator';
export { callNeighbours, topOwner, unitsOf } from './correlator/units';
export type {
  Analyzer,
  AnalysisContext,
  Neighbour,
  PodLogQuery,
  SeriesQuery,
  SeriesWindow,
} from './analyzers/analyzer';
export { Finding, FindingPatch, FindingRemediation } from './analyzers/finding';
export { MemoryContext, type MemoryContextData } from './analyzers/memory-context';
export { StoreContext, type StoreContextOptions } from './analyzers/store-context';
export { PrometheusClient } from './prometheus/client';
export type {
  PromQLSource,
  PromQueryResult,
  PromRange,
  PromSeries,
  PromSeriesResult,
  PrometheusSettings,
} from './prometheus/source';
export {
  PrometheusError,
  PrometheusTimeoutError,
  PrometheusUnreachableError,
  isPrometheusFailure,
  type PrometheusFailure,
} from './prometheus/errors';
export { PodSeriesFallback, podSeriesSelector } from './prometheus/pod-series';
export {
  ANALYZERS,
  analyzeResource,
  analyzersFor,
  type AnalyzerFailure,
  type AnalyzerId,
} from './analyzers/registry';
export { diagnoseIncident } from './ranking/diagnose-incident';
export {
  DEFAULT_LOCALIZE_OPTIONS,
  anomalySignal,
  localizeRootCause,
  topologyUnits,
  type AnomalySignal,
  type CallEdge,
  type LocalizeOptions,
  type RootCauseCandidate,
} from './ranking/localize';
export {
  DEFAULT_WINDOW_SHIFT_OPTIONS,
  metricShifts,
  spanShifts,
  spanUnit,
  type ShiftWindows,
  type WindowShiftOptions,
} from './ranking/window-shift';
export { createdMs, describeChange } from './changes/object-changes';
export * from './llm';
