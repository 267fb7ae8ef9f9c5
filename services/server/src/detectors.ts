import type { FrozenConfig } from '@sleuth/core';
import { DEFAULT_METRIC_DETECTOR_OPTIONS, MetricDetector, RedDetector, type Detector } from '@sleuth/detect';

/** The detectors `sleuth serve` runs over every stored batch, configured from `detect.*`. */
export function defaultDetectors(config: FrozenConfig): Detector[] {
  return [
    new MetricDetector({ ...DEFAULT_METRIC_DETECTOR_OPTIONS, alarmScore: config.detect.metricAlarmScore }),
    new RedDetector(),
  ];
}
