export {
  DEFAULT_MINER_OPTIONS,
  MinerOptions,
  TemplateMiner,
  type MinedLine,
  type MinerStats,
  type TemplateInfo,
} from './template-miner';
export { MinerSnapshot } from './miner-state';
export { WILDCARD } from './template';
export { tokenize, type TokenizedLine } from './tokenizer';
