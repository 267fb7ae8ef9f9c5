export { Simulator, SimulatorSettings, type SimulatorOptions } from './simulator';
export type { SimulatorStats } from './stats';
export { summariseFleet, type FleetSummary, type WorkloadSummary } from './fleet-summary';
export {
  BENIGN_FAULT_KINDS,
  FAULT_KINDS,
  FaultKind,
  FaultRecord,
  FaultRequest,
  FaultStatus,
  FaultTarget,
  type FaultRequestInput,
} from './faults/fault-schema';
export { defaultFleet } from './fleet/clusters';
export { renderGitOpsRepo, type ManifestFile } from './gitops/gitops-repo';
export type { ClusterSpec, WorkloadSpec, LogFormat, WorkloadRole } from './fleet/types';
export {
  OtlpExportError,
  type OtlpExportRequest,
  type OtlpTransport,
  type SendOptions,
} from './transport/otlp-transport';
export {
  HttpOtlpTransport,
  parseRetryAfter,
  type HttpOtlpTransportOptions,
  type OtlpEncoder,
} from './transport/http-otlp-transport';
export { MemoryTransport, type CapturedRequest } from './transport/memory-transport';
export type * from './otlp/types';
export { Rng } from './random';
export {
  BUILTIN_RESOURCES,
  KubeApiServer,
  type KubeApiServerOptions,
  type KubeObject,
  type ResourceType,
} from './kube-api/server';
export { ClusterApis, type ClusterApiEndpoint } from './kube-api/cluster-apis';
