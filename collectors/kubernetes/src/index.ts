export {
  KubernetesCollector,
  DEFAULT_INFORMER_OPTIONS,
  type CollectorStatus,
  type KubernetesCollectorOptions,
  type OtlpSender,
} from './collector';
export type { InformerOptions, InformerState, InformerStatus, ObjectChange } from './informer';
export { KubeApi, KubeApiError, type RawObject } from './kube-api';
export { OBJECT_RESOURCES, EVENT_RESOURCES, resourceName, type WatchedResource } from './resources';
export { SECRET_VALUE_MASK } from './sanitize';
export { DEFAULT_POD_LOG_OPTIONS, type PodLogOptions, type PodLogStatus } from './pod-logs';
export { parseLabelSelector, type LabelSelector } from './selector';
export { DEFAULT_USAGE_OPTIONS, parseQuantity, type UsageOptions, type UsageStatus } from './usage';
export { Agent, type AgentOptions, type AgentStatus } from './agent/agent';
export { Spool, type SpoolStats } from './agent/spool';
export type { ShipperStatus } from './agent/shipper';
export { objectChangesRequest } from './records';
export { importDump, type ImportOptions, type ImportSummary } from './import/import-dump';
export { readDump, type DumpItem, type DumpLogSection, type Skipped } from './import/dump-reader';
