/**
 * The shapes the HTTP API answers with, for clients written in TypeScript (the web UI imports
 * them as types only, so its client is checked against the server's own schemas at build time).
 * Types only: nothing here runs.
 */
export type {
  Alert,
  Anomaly,
  AnswerRecord,
  CitedEvidence,
  Conversation,
  ChatMessage,
  Evidence,
  FixAction,
  Incident,
  K8sEvent,
  LogRecord,
  ManifestPatch,
  MetricPoint,
  ObjectSnapshot,
  PullRequest,
  Recommendation,
  ResourceRef,
  RootCause,
  Severity,
  SignalRef,
  Span,
  ToolCallRecord,
  Investigation,
} from '@sleuth/core';
export type { IncidentDetail, TimelineEntry } from './incident-detail';
export type { IncidentChange, IncidentNotice } from './incident-feed';
export type { IncidentFix, FixCandidate, ShownProposal } from './remediation/fix-candidates';
export type { ClusterInfo, AgentInfo } from './clusters';
export type { LogTemplateSummary, LogTemplatesAnswer } from './routes/log-templates';
