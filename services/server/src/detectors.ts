import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrozenConfig, Logger } from '@sleuth/core';
import {
  DEFAULT_METRIC_DETECTOR_OPTIONS,
  K8sEventDetector,
  K8sStateDetector,
  LogTemplateDetector,
  MetricDetector,
  RedDetector,
  TemplateMiner,
  type Detector,
} from '@sleuth/detect';

/** The detectors `sleuth serve` runs, and how to keep what must survive a restart. */
export interface DetectorSet {
  detectors: Detector[];
  /** Writes the log templates to `store.dataDir` (atomically: a crash leaves the old file). */
  save(): void;
}

const TEMPLATES_FILE = 'log-templates.json';

/**
 * The log template miner as it was saved, so template ids stay the same across restarts. A file
 * that cannot be read is set aside (renamed `.unreadable`) with a warning, and mining starts
 * afresh: losing template ids is better than not starting.
 */
function restoreMiner(path: string, logger: Logger): TemplateMiner {
  if (!existsSync(path)) return new TemplateMiner();
  try {
    const miner = TemplateMiner.restore(JSON.parse(readFileSync(path, 'utf8')));
    logger.info({ path, templates: miner.size }, 'log templates restored');
    return miner;
  } catch (err) {
    renameSync(path, `${path}.unreadable`);
    logger.warn({ err, path }, 'saved log templates unreadable; set aside, mining afresh');
    return new TemplateMiner();
  }
}

/** The detectors `sleuth serve` runs over every stored batch, configured from `detect.*`. */
export function defaultDetectors(config: FrozenConfig, logger: Logger): DetectorSet {
  const path = join(config.store.dataDir, TEMPLATES_FILE);
  const logs = new LogTemplateDetector({}, restoreMiner(path, logger));
  return {
    detectors: [
      new MetricDetector({
        ...DEFAULT_METRIC_DETECTOR_OPTIONS,
        alarmScores: {
          pattern: config.detect.metricPatternAlarm,
          extreme: config.detect.metricExtremeAlarm,
          'flat-line': config.detect.metricFlatLineAlarm,
          'time-of-day': config.detect.metricTimeOfDayAlarm,
        },
      }),
      new RedDetector(),
      new K8sStateDetector(),
      new K8sEventDetector(),
      logs,
    ],
    save: () => {
      writeFileSync(`${path}.tmp`, JSON.stringify(logs.miner.snapshot()));
      renameSync(`${path}.tmp`, path);
    },
  };
}
