export {
  DEFAULT_ROBUST_OPTIONS,
  RobustDetector,
  type PointScore,
  type RobustDetectorOptions,
} from './metrics/robust-detector';
