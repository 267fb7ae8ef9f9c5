import type { Anomaly, K8sEvent, LogRecord, ObjectSnapshot, ResourceRef, Span } from '@sleuth/core';
import type { EdgeKind } from '../topology/graph';
import type { Finding } from './finding';

/** One edge of the topology graph seen from a resource: the resource at the other end and why. */
export interface Neighbour {
  ref: ResourceRef;
  kind: EdgeKind;
  /** Why the edge exists (the selector, the volume or env var, the call counts). */
  evidence: string[];
  /** The other end is referenced but was not collected (e.g. a ConfigMap a pod names). */
  missing: boolean;
  /** For `calls` edges: counts over the graph's window. */
  calls?: { count: number; errors: number; meanDurationMs: number };
}

/** Which log records of a pod to read. */
export interface PodLogQuery {
  /** The Pod. */
  pod: ResourceRef;
  container?: string;
  /**
   * `true`: only the previous (terminated) container instance's lines, as the kubelet's
   * `previous` log serves them; `false`: only the current instance's; absent: both.
   */
  previous?: boolean;
  /** Most records returned (the newest). */
  limit: number;
}

/** One series' points in a window. */
export interface SeriesWindow {
  name: string;
  labels: Record<string, string>;
  /** [timeMs, value] in time order. */
  points: [number, number][];
  /**
   * Where the points came from: absent for Sleuth's store; `prometheus` when the store had none
   * and the configured Prometheus was asked (labels are then Prometheus's own).
   */
  source?: 'prometheus';
}

/** What an evidence summary adds about a window's origin: nothing for the store's own series. */
export const fromPrometheus = (s: SeriesWindow): string =>
  s.source === 'prometheus' ? ' (from Prometheus)' : '';

/** A metric query around one pod (or namespace) in a window. */
export interface SeriesQuery {
  name: string;
  cluster: string;
  namespace?: string;
  pod?: string;
  fromMs: number;
  toMs: number;
}

/** Anomalies in one place and window. */
export interface AnomalyWindow {
  cluster: string;
  namespace?: string;
  /** Anomalies active at any time in [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
}

/**
 * The read-only view of collected state an analyzer works from. The product backs it with the
 * Store (store-context.ts); tests with an in-memory fake (memory-context.ts). Every list is
 * newest first; no method changes anything.
 */
export interface AnalysisContext {
  /** The time the analysis is for (epoch ms): windows such as "recent events" end here. */
  readonly nowMs: number;
  /** The latest state of one object; undefined when not collected or deleted. */
  object(ref: ResourceRef): Promise<ObjectSnapshot | undefined>;
  /** The latest state of every live object of a kind, in a namespace or (absent) cluster-wide. */
  objects(cluster: string, kind: string, namespace?: string): Promise<ObjectSnapshot[]>;
  /** Past states of one object, newest first. */
  history(ref: ResourceRef, limit: number): Promise<ObjectSnapshot[]>;
  /** Events about one object, newest (by lastMs) first, each with its store id. */
  events(ref: ResourceRef, sinceMs?: number): Promise<K8sEvent[]>;
  /** Log records of a pod (a container; the previous instance's), newest first, each with its id. */
  podLogs(query: PodLogQuery): Promise<LogRecord[]>;
  /** Series matching a metric name around a pod or namespace. */
  series(query: SeriesQuery): Promise<SeriesWindow[]>;
  /** What the detectors flagged in a namespace (or cluster) and window, newest onset first, at most 1000. */
  anomalies(query: AnomalyWindow): Promise<Anomaly[]>;
  /**
   * Spans of a cluster started in [fromMs, toMs), newest first, at most `limit` (the root-cause
   * localisation compares an incident's requests with the ones before it).
   */
  spans(query: AnomalyWindow & { limit: number }): Promise<Span[]>;
  /** Topology edges: what the resource depends on and what depends on it. */
  neighbours(ref: ResourceRef): Promise<{ dependsOn: Neighbour[]; dependents: Neighbour[] }>;
}

/**
 * One Kubernetes failure-mode family, in one file: given a resource of one of its `kinds` and the
 * state around it, returns what is wrong with evidence (nothing when it is healthy). Analyzers
 * explain; detectors flag. An analyzer only reads through the context and never throws for an
 * object of an unexpected shape: it returns no finding for what it cannot read.
 */
export interface Analyzer {
  /** Stable id, the key in ANALYZERS and `Finding.analyzer`. */
  readonly id: string;
  /** The resource kinds it inspects. */
  readonly kinds: readonly string[];
  analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]>;
}
