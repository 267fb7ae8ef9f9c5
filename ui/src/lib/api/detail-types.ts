/**
 * Answer shapes of the reads the incident page makes beyond the incident itself: fixes, topology,
 * events by id, series windows, log pages, traces. Taken from the server's own types where the
 * server exports them (types only: erased at build).
 */
import type { TopologyEdge, TopologyNode } from '@sleuth/analyze';
import type { RangeResult, SeriesResult } from '@sleuth/store';
import type { FixAction, K8sEvent, ObjectSnapshot, PullRequest, ShownProposal, Span } from './types';

export type { RangeResult, SeriesResult, TopologyEdge, TopologyNode };

/** `GET /topology/neighbours`: a node and the edges to and from it, with the node at the other end. */
export interface Neighbours {
  node: TopologyNode;
  /** Edges from this node: what it needs. */
  dependsOn: { edge: TopologyEdge; node?: TopologyNode }[];
  /** Edges to this node: what needs it. */
  dependents: { edge: TopologyEdge; node?: TopologyNode }[];
}

/** `GET /events/by-id`: the events found, in the order asked, and the ids not found. */
export interface EventsById {
  events: K8sEvent[];
  missing: string[];
}

/** `GET /objects/.../history`: past states, newest first. */
export interface ObjectHistory {
  snapshots: ObjectSnapshot[];
}

/** `GET /traces/{traceId}`: every span of a trace, by start time. */
export interface Trace {
  traceId: string;
  spans: Span[];
}

/** `POST /incidents/{id}/fix/pull-request` (201 opened, 200 updated or unchanged). */
export interface OpenFixResult {
  action: FixAction;
  proposal: ShownProposal;
  branch: string;
  commit: string;
  pullRequest?: PullRequest;
}

/** Why no fix was opened (`details` of a 422 `fix_declined` / `fix_refused`). */
export interface FixDeclineDetails {
  reasons: { rootCauseId: string; code: string; reason: string }[];
}
