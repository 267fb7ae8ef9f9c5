export { anomalyId, resourceKey, type Detector } from './detector';
export {
  AnomalyLikelihood,
  DEFAULT_LIKELIHOOD_OPTIONS,
  type LikelihoodOptions,
} from './metrics/anomaly-likelihood';
export {
  DEFAULT_SERIES_OPTIONS,
  SeriesDetector,
  type AnomalyKind,
  type PointScore,
  type SeriesDetectorOptions,
} from './metrics/series-detector';
export {
  DEFAULT_TRANSITION_OPTIONS,
  TransitionModel,
  type TransitionModelOptions,
} from './metrics/transition-model';
export {
  DetectionRunner,
  type AnomalySink,
  type DetectionObserver,
  type DetectionRunnerOptions,
  type DetectionStatus,
} from './detection-runner';
export {
  DEFAULT_METRIC_DETECTOR_OPTIONS,
  MetricDetector,
  seriesKey,
  type MetricDetectorOptions,
  type MetricSkips,
} from './metrics/metric-detector';
export { DEFAULT_RED_OPTIONS, RedDetector, type RedDetectorOptions } from './traces/red-detector';
export { RedWindow, type ExampleTrace, type RedFigures } from './traces/red-window';
export * from './k8s';
export * from './logs/index';
