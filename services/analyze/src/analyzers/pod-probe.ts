import type { K8sEvent, ManifestPatch, ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { clip, eventEvidence, fieldEvidence, list, nsFlag, num, rec, text, type Json } from './object-fields';
import type { PodContainer } from './pod-containers';
import { podOwner, type PodOwner } from './pod-workload';

const PROBES = ['liveness', 'readiness', 'startup'] as const;
type ProbeType = (typeof PROBES)[number];
/** Probe failures older than this are history, not the current problem. */
const RECENT_MS = 15 * 60_000;

/**
 * Failing liveness/readiness/startup probes (the kubelet's Unhealthy events), naming the probe, its
 * handler (HTTP path and port, TCP port or command) and what the kubelet saw; flags a probe port
 * the container does not declare.
 */
export async function probeFailures(
  pod: ObjectSnapshot,
  containers: readonly PodContainer[],
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const events = (await ctx.events(pod.ref, ctx.nowMs - RECENT_MS)).filter((e) => e.reason === 'Unhealthy');
  const out: Finding[] = [];
  for (const type of PROBES) {
    const mine = events.filter((e) => e.message.toLowerCase().startsWith(`${type} probe`));
    const first = mine[0];
    if (!first) continue;
    const c =
      containers.find(
        (x) => Object.keys(rec(x.spec[`${type}Probe`])).length > 0 && x.status['ready'] !== true,
      ) ?? containers.find((x) => Object.keys(rec(x.spec[`${type}Probe`])).length > 0);
    if (!c) continue;
    const probe = rec(c.spec[`${type}Probe`]);
    const fix = portFix(probe, c.spec);
    const patch = fix ? probePortPatch(pod, c, type, fix, await podOwner(pod, ctx)) : undefined;
    out.push(finding(pod, c, type, mine, first, patch));
  }
  return out;
}

function finding(
  pod: ObjectSnapshot,
  c: PodContainer,
  type: ProbeType,
  events: K8sEvent[],
  first: K8sEvent,
  patch: ManifestPatch | undefined,
): Finding {
  const probe = rec(c.spec[`${type}Probe`]);
  const handler = describeHandler(probe);
  const failures = events.reduce((n, e) => n + e.count, 0);
  const portIssue = undeclaredPort(probe, c.spec);
  const effect =
    type === 'liveness'
      ? 'the kubelet restarts the container each time the failure threshold is reached'
      : type === 'readiness'
        ? "the pod is taken out of its Services' endpoints, so it receives no traffic"
        : 'the container is killed and restarted before it ever counts as started';
  return {
    analyzer: 'pod',
    resource: pod.ref,
    failureMode: `${type}-probe-failing`,
    title: `${type} probe (${handler}) of ${c.label} in pod ${pod.ref.name} is failing`,
    explanation: `The ${type} probe ${handler} has failed ${failures} time${failures === 1 ? '' : 's'} in the last 15 minutes; the kubelet reports "${clip(first.message, 400)}". While it fails, ${effect}.${portIssue ? ` ${portIssue}` : ''}`,
    evidence: [
      ...eventEvidence(events, `${failures} ${type} probe failures (Unhealthy events)`),
      fieldEvidence(pod, `${c.specField}.${type}Probe`, `${type} probe: ${handler}`),
    ],
    confidence: portIssue ? 0.9 : 0.8,
    remediation: {
      steps: [
        portIssue
          ? 'Point the probe at a port the container listens on.'
          : `Check the application answers ${handler} within the probe's timeout; if it is slow to start, add a startup probe or raise initialDelaySeconds rather than loosening the ${type} probe.`,
      ],
      commands: [
        `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
        `kubectl get pod ${pod.ref.name} -o jsonpath='{.spec.containers[?(@.name=="${c.name}")].${type}Probe}'${nsFlag(pod.ref)}`,
      ],
      ...(patch ? { patch } : {}),
    },
  };
}

/** The probe handler that names a port, its port as the pod has it, and the port to point it at. */
interface PortFix {
  handler: 'httpGet' | 'tcpSocket' | 'grpc';
  from: string;
  to: string;
}

/**
 * The port a probe that targets an undeclared port should check, when that is certain: the
 * container declares exactly one TCP port. The new value keeps the probe's form (a number for a
 * number, the port's name for a name when it has one); a gRPC probe takes numbers only.
 */
function portFix(probe: Json, spec: Json): PortFix | undefined {
  if (undeclaredPort(probe, spec) === undefined) return undefined;
  const handler = (['httpGet', 'tcpSocket', 'grpc'] as const).find(
    (h) => rec(probe[h])['port'] !== undefined,
  );
  if (!handler) return undefined;
  const port = rec(probe[handler])['port'];
  if (typeof port !== 'number' && typeof port !== 'string') return undefined;
  const tcp = list(spec['ports']).filter((p) => (text(p['protocol']) ?? 'TCP') === 'TCP');
  const [only, ...more] = tcp;
  const number = num(only?.['containerPort']);
  if (!only || more.length > 0 || number === undefined) return undefined;
  const name = text(only['name']);
  const to = typeof port === 'string' && name && handler !== 'grpc' ? name : String(number);
  return { handler, from: portText(port), to };
}

/** The patch pointing the probe of the pod's workload template at the declared port. */
function probePortPatch(
  pod: ObjectSnapshot,
  c: PodContainer,
  type: ProbeType,
  fix: PortFix,
  owner: PodOwner,
): ManifestPatch {
  const list_ = c.init ? 'initContainers' : 'containers';
  return {
    kind: owner.kind,
    name: owner.name,
    ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
    field: `${owner.podSpecField}.${list_}[name=${c.name}].${type}Probe.${fix.handler}.port`,
    from: fix.from,
    to: fix.to,
    rationale: `The container declares one port, ${fix.to}; the probe checks ${fix.from}, which it does not declare.`,
  };
}

/** `HTTP GET :8080/healthz`, `TCP :5432`, `exec "pg_isready"`, `gRPC :9000`. */
function describeHandler(probe: Json): string {
  const http = rec(probe['httpGet']);
  if (Object.keys(http).length > 0) return `HTTP GET :${portText(http['port'])}${text(http['path']) ?? '/'}`;
  const tcp = rec(probe['tcpSocket']);
  if (Object.keys(tcp).length > 0) return `TCP :${portText(tcp['port'])}`;
  const grpc = rec(probe['grpc']);
  if (Object.keys(grpc).length > 0) return `gRPC :${portText(grpc['port'])}`;
  const cmd = rec(probe['exec'])['command'];
  if (Array.isArray(cmd)) return `exec "${clip(cmd.filter((x) => typeof x === 'string').join(' '), 120)}"`;
  return 'of unknown kind';
}

function portText(v: unknown): string {
  return typeof v === 'number' ? String(v) : (text(v) ?? '?');
}

/** A sentence when the probe's port is neither a declared container port number nor name. */
function undeclaredPort(probe: Json, spec: Json): string | undefined {
  const port = rec(probe['httpGet'])['port'] ?? rec(probe['tcpSocket'])['port'] ?? rec(probe['grpc'])['port'];
  const ports = list(spec['ports']);
  if (port === undefined || ports.length === 0) return undefined;
  const declared = ports.some((p) =>
    typeof port === 'number' ? num(p['containerPort']) === port : p['name'] === port,
  );
  if (declared) return undefined;
  const list_ = ports.map(
    (p) => `${num(p['containerPort']) ?? '?'}${text(p['name']) ? ` (${text(p['name']) ?? ''})` : ''}`,
  );
  return `The probe's port ${portText(port)} is not one the container declares (${list_.join(', ')}).`;
}
