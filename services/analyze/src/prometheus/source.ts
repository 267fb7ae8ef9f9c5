import type { QueryData } from './api-schema';

/** The contract of Sleuth's PromQL reads: settings, results and the source the callers depend on. */

/** Where a Prometheus is and how much one call may bring back (the `prometheus` config section). */
export interface PrometheusSettings {
  /** The HTTP API's base, e.g. `http://prometheus:9090` (a path prefix is kept). */
  url: string;
  /** Sent as `Authorization: Bearer …` (else a `user:password@` in the URL is sent as Basic). */
  bearerToken?: string | undefined;
  /** The cluster it watches when its series carry no `cluster` label. */
  cluster?: string | undefined;
  /** One request, answer read included. */
  timeoutMs: number;
  /** Most series one call keeps. */
  maxSeries: number;
  /** Most points one call keeps, over all its series. */
  maxPoints: number;
  /** A longer body is refused (default 32 MiB). */
  maxResponseBytes?: number;
}

/** One series of a result. */
export interface PromSeries {
  /** Every label, `__name__` included when the series has one. */
  labels: Record<string, string>;
  /** `[timeMs, value]` in time order; `NaN`, `Infinity` and `-Infinity` as Prometheus sent them. */
  points: [number, number][];
}

/** A query's answer, cut to the client's limits. */
export interface PromQueryResult {
  resultType: QueryData['resultType'];
  /** A scalar is one series without labels; a string result has none (see `text`). */
  series: PromSeries[];
  /** A string result's text. */
  text?: string;
  /** The step a range query was evaluated at, after any raise to the point limit. */
  stepMs?: number;
  /** Whether series or points were left out to keep within the limits. */
  truncated: boolean;
  /** What the client changed or left out and why, in words (empty when nothing). */
  notes: string[];
  /** Prometheus's own warnings (e.g. a partial answer from a federated store). */
  warnings: string[];
}

/** The label sets a series lookup matched, cut to `maxSeries`. */
export interface PromSeriesResult {
  series: Record<string, string>[];
  truncated: boolean;
  notes: string[];
  warnings: string[];
}

/** A range query's evaluation times: every `stepMs` from `startMs` to `endMs` (epoch ms, inclusive). */
export interface PromRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/**
 * What Sleuth reads from a Prometheus: instant and range PromQL queries and series lookups. The
 * investigator's `promql_query` tool and the analyzers' fallback depend on this, not on the class,
 * so tests can stand in for it.
 */
export interface PromQLSource {
  /** The cluster the Prometheus watches, when configured. */
  readonly cluster: string | undefined;
  /** An instant query evaluated at `timeMs` (default: Prometheus's now). */
  query(promql: string, at?: { timeMs?: number | undefined }): Promise<PromQueryResult>;
  /** A range query; the step is raised when the range would give a series too many points. */
  queryRange(promql: string, range: PromRange): Promise<PromQueryResult>;
  /** The series (label sets) any of `matchers` selects in the window. */
  series(matchers: readonly string[], window: { startMs: number; endMs: number }): Promise<PromSeriesResult>;
}
