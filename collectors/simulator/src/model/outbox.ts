import type { K8sObject } from '../k8s/types';
import type { PendingLog, PendingSpan } from '../otlp/requests';

/**
 * A change to the cluster's API state: an object added, modified or deleted, or an Event written.
 * The same changes also go out as Collector-style log records; a simulator serving its clusters
 * as Kubernetes APIs applies these instead (see kube-api/cluster-api.ts).
 */
export type ApiChange =
  { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: K8sObject } | { type: 'EVENT'; object: K8sObject };

/** The logs and spans one cluster produced during the current tick, waiting to be exported. */
export class Outbox {
  logs: PendingLog[] = [];
  spans: PendingSpan[] = [];
  api: ApiChange[] = [];

  /** Hands over everything collected so far and starts empty. */
  take(): { logs: PendingLog[]; spans: PendingSpan[]; api: ApiChange[] } {
    const out = { logs: this.logs, spans: this.spans, api: this.api };
    this.logs = [];
    this.spans = [];
    this.api = [];
    return out;
  }
}

/** Scope names of the Collector receivers whose output the simulator reproduces. */
export const SCOPES = {
  filelog: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver',
  k8sEvents: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/k8seventsreceiver',
  k8sObjects: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/k8sobjectsreceiver',
  prometheus: 'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver',
} as const;
