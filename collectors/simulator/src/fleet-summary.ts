import type { LogFormat, WorkloadRole } from './fleet/types';
import { FAULT_BEHAVIORS } from './faults/registry';
import { FAULT_KINDS, type FaultKind } from './faults/fault-schema';
import type { ClusterRuntime } from './model/runtime';
import { currentRevision, isLive } from './model/state';

/** One workload of the simulated fleet, as the server and UI show it. */
export interface WorkloadSummary {
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  component: WorkloadRole;
  logFormat: LogFormat;
  serviceName: string;
  image: string;
  replicas: number;
  readyReplicas: number;
  /** The fault kinds this workload can take. */
  faultKinds: FaultKind[];
}

/** The simulated fleet: clusters, their nodes, namespaces and workloads. */
export interface FleetSummary {
  clusters: {
    name: string;
    region: string;
    nodes: string[];
    namespaces: { name: string; workloads: WorkloadSummary[] }[];
  }[];
}

/** Describes the fleet as it is now. */
export function summariseFleet(clusters: readonly ClusterRuntime[]): FleetSummary {
  return {
    clusters: clusters.map((rt) => ({
      name: rt.name,
      region: rt.state.spec.region,
      nodes: rt.state.nodes.map((n) => n.name),
      namespaces: rt.state.namespaces.map((ns) => ({
        name: ns.name,
        workloads: rt.state.workloads
          .filter((w) => w.spec.namespace === ns.name)
          .map((w) => ({
            name: w.spec.name,
            kind: w.spec.kind,
            component: w.spec.component,
            logFormat: w.spec.logFormat,
            serviceName: w.spec.serviceName,
            image: currentRevision(w).template.image,
            replicas: w.spec.replicas,
            readyReplicas: w.pods.filter((p) => isLive(p) && p.container.ready).length,
            faultKinds: FAULT_KINDS.filter((k) => FAULT_BEHAVIORS[k].unsupported(w) === undefined),
          })),
      })),
    })),
  };
}
