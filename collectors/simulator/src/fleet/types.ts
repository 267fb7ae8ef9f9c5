/** How a workload's container writes its logs; each has a dialect in src/logs. */
export type LogFormat = 'nginx' | 'node' | 'java' | 'go' | 'python' | 'postgres' | 'redis' | 'coredns';

/** What a workload is, which decides the faults it can take. */
export type WorkloadRole = 'frontend' | 'api' | 'worker' | 'database' | 'cache' | 'dns';

/** A downstream call made while serving an endpoint. `service` names a workload in the same cluster. */
export type CallSpec =
  | { kind: 'http'; service: string; method: string; route: string; probability?: number }
  | {
      kind: 'postgres';
      service: string;
      database: string;
      operation: 'SELECT' | 'INSERT' | 'UPDATE';
      table: string;
      statement: string;
      probability?: number;
    }
  | {
      kind: 'redis';
      service: string;
      command: 'GET' | 'SET' | 'LPUSH';
      key: string;
      probability?: number;
      /** A failed optional call (a cache) is logged and skipped; the request carries on. */
      optional?: boolean;
      /** LPUSH that enqueues a job for the worker consuming this queue. */
      enqueue?: string;
    };

/** One HTTP endpoint a workload serves. */
export interface EndpointSpec {
  method: string;
  route: string;
  /** Share of the workload's entry traffic (only used for the fleet's entry workload). */
  weight: number;
  /** Median of the workload's own processing time, without downstream calls. */
  latencyMs: number;
  calls: CallSpec[];
  /** Rough response size, for access logs. */
  responseBytes: number;
  /** For `SCHEDULE` endpoints: run by one worker every this many seconds. */
  everySeconds?: number;
  /** Share of requests refused for business reasons (e.g. a declined card), with their status. */
  rejects?: { status: number; rate: number };
}

/** An environment variable of the app container and where its value comes from. */
export interface EnvSpec {
  name: string;
  from: 'value' | 'configMap' | 'secret';
  /** Literal value (from `value`) or the ConfigMap value; Secret values are never kept. */
  value?: string;
}

/** The static description of a workload; the same in every cluster that runs it. */
export interface WorkloadSpec {
  name: string;
  namespace: string;
  kind: 'Deployment' | 'StatefulSet';
  component: WorkloadRole;
  logFormat: LogFormat;
  /** Image repository without tag, e.g. `registry.example.com/shop/checkout-api`. */
  image: string;
  version: string;
  replicas: number;
  port: number;
  portName: string;
  /** Service name as seen in traces (service.name). */
  serviceName: string;
  cpuRequestMilli: number;
  cpuLimitMilli: number;
  memoryRequestMi: number;
  memoryLimitMi: number;
  /** Steady working set as a fraction of the memory limit. */
  memoryBaseline: number;
  /** CPU cores used while idle, and per request per second. */
  cpuIdleCores: number;
  cpuPerRequest: number;
  /**
   * Requests per second one pod serves before it saturates (its load-tested capacity); requests
   * queue as the rate nears it. Unset: the workload never queues (nginx, the data stores).
   */
  capacityRps?: number;
  env: EnvSpec[];
  /** The env var whose absence makes the app exit at startup (crash_loop removes it). */
  requiredEnv?: string;
  readinessProbe: ProbeSpec;
  livenessProbe?: ProbeSpec;
  /** Seconds from container start until the app is ready. */
  startupSeconds: number;
  endpoints: EndpointSpec[];
  /**
   * A HorizontalPodAutoscaler (autoscaling/v2) on the workload's CPU utilisation: `replicas` is
   * its minimum, `maxReplicas` its maximum, `targetCpuUtilization` the average percentage of the
   * CPU request it aims for.
   */
  autoscaling?: { maxReplicas: number; targetCpuUtilization: number };
  /** Queue this workload consumes (workers). */
  consumes?: string;
  /** The process name the kernel's OOM killer reports. */
  processName: string;
}

/** A readiness or liveness probe. */
export type ProbeSpec =
  | { type: 'http'; path: string; periodSeconds: number; failureThreshold: number }
  | { type: 'tcp'; periodSeconds: number; failureThreshold: number }
  | { type: 'exec'; command: string[]; periodSeconds: number; failureThreshold: number };

/** A cluster of the simulated fleet. */
export interface ClusterSpec {
  name: string;
  region: string;
  zones: string[];
  nodeCount: number;
  instanceType: string;
  nodeCpuCores: number;
  nodeMemoryGi: number;
  /** Second octet of this cluster's pod, node and service ranges. */
  netOctet: number;
  /** Hours from UTC of the cluster's users; traffic peaks mid-afternoon local time. */
  utcOffsetHours: number;
  /** Mean requests per second reaching the entry workload over a day. */
  baseRps: number;
  namespaces: string[];
  workloads: WorkloadSpec[];
  /** The workload external traffic enters through. */
  entry: string;
}

/** An HTTP GET probe with the kubelet's usual period and threshold. */
export function httpProbe(path: string): ProbeSpec {
  return { type: 'http', path, periodSeconds: 10, failureThreshold: 3 };
}
