import type { OtlpSignal } from './otlp/types';

/** Counters of what the simulator produced and delivered; see {@link Simulator.stats}. */
export interface SimulatorStats {
  /** Simulated time now, epoch ms. */
  simulatedNowMs: number;
  ticks: number;
  /** Export requests accepted by the transport. */
  requestsSent: number;
  /** Export requests that failed for good (after the transport's retries). */
  requestsFailed: number;
  /** Records delivered: log records, metric data points, spans. */
  records: Record<OtlpSignal, number>;
  /** Records in requests that failed. */
  recordsDropped: Record<OtlpSignal, number>;
  /** Failed requests by failure kind (`http_400`, `retries_exhausted`, `network` ...). */
  failures: Record<string, number>;
  /** Metric series currently exposed across the fleet. */
  activeSeries: number;
  activeFaults: number;
  /** Queue jobs dropped because a queue hit its bound. */
  droppedJobs: number;
}

/** The running totals behind {@link SimulatorStats}. */
export class StatsCounter {
  ticks = 0;
  requestsSent = 0;
  requestsFailed = 0;
  readonly records: Record<OtlpSignal, number> = { logs: 0, metrics: 0, traces: 0 };
  readonly recordsDropped: Record<OtlpSignal, number> = { logs: 0, metrics: 0, traces: 0 };
  readonly failures: Record<string, number> = {};

  /** Counts a delivered request of `count` records. */
  sent(signal: OtlpSignal, count: number): void {
    this.requestsSent++;
    this.records[signal] += count;
  }

  /** Counts a failed request; returns true the first time this kind of failure is seen. */
  failed(signal: OtlpSignal, count: number, kind: string): boolean {
    this.requestsFailed++;
    this.recordsDropped[signal] += count;
    const first = this.failures[kind] === undefined;
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
    return first;
  }
}
