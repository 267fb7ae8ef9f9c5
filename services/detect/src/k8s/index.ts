export {
  DEFAULT_K8S_STATE_OPTIONS,
  K8sStateDetector,
  type K8sStateDetectorOptions,
  type K8sStateDetectorStats,
} from './state-detector';
export {
  DEFAULT_K8S_EVENT_OPTIONS,
  K8S_EVENTS_DETECTOR,
  K8sEventDetector,
  type K8sEventDetectorOptions,
  type K8sEventDetectorStats,
} from './event-detector';
export { K8S_STATE_DETECTOR } from './object-conditions';
export { K8S_STATE_RULES, type K8sStateRuleId } from './state-rules';
export {
  classifyWarning,
  UNKNOWN_WARNING,
  WARNING_REASONS,
  type EventCategory,
  type EventClass,
} from './event-reasons';
export {
  SEVERITY_SCORE,
  type Finding,
  type K8sRule,
  type RuleContext,
  type Severity,
  type WarningSummary,
} from './rule';
