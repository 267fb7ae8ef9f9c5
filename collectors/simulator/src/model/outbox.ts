import type { PendingLog, PendingSpan } from '../otlp/requests';

/** The logs and spans one cluster produced during the current tick, waiting to be exported. */
export class Outbox {
  logs: PendingLog[] = [];
  spans: PendingSpan[] = [];

  /** Hands over everything collected so far and starts empty. */
  take(): { logs: PendingLog[]; spans: PendingSpan[] } {
    const out = { logs: this.logs, spans: this.spans };
    this.logs = [];
    this.spans = [];
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
