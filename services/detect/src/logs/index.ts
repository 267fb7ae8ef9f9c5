export { LogTemplateDetector } from './log-anomaly-detector';
export {
  DEFAULT_LOG_DETECTOR_OPTIONS,
  workloadOf,
  type LogDetectorOptions,
  type LogDetectorSkips,
} from './log-detector-options';
export { MinerSnapshot } from './miner-state';
export { WILDCARD } from './template';
export {
  DEFAULT_MINER_OPTIONS,
  MinerOptions,
  TemplateMiner,
  type MinedLine,
  type MinerStats,
  type TemplateInfo,
} from './template-miner';
export { tokenize, type TokenizedLine } from './tokenizer';
