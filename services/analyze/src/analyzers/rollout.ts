import type { Anomaly, Evidence, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { AnalysisContext, Analyzer } from './analyzer';
import type { Finding, FindingRemediation } from './finding';
import { at, clip, nsFlag, qualified, sibling, text } from './object-fields';
import { changesText } from './template-diff';
import { imageRollbackPatch, revisionChange, type RevisionChange } from './workload-revision';

/** A rollout older than this is not "recent": its effects would have shown by now. */
const RECENT_MS = 60 * 60_000;
/** Symptoms must start within this long after the rollout began to be blamed on it. */
const EFFECT_WINDOW_MS = 30 * 60_000;
/** How far back before the rollout a symptom must not already be running. */
const BEFORE_MS = 30 * 60_000;
/** Series that move with any rollout (object state, process starts): not symptoms of a bad version. */
const ROLLOUT_SERIES = /^kube_|_start_time_seconds$|restarts/;

/**
 * Whether an anomaly is a symptom a bad version would cause: its requests failing or slowing
 * (traces), its logs turning to warnings and errors (a new INFO line is what a new version
 * logs), its usage leaving its range; not the churn of the rollout itself.
 */
function symptom(a: Anomaly): boolean {
  if (a.detector === 'traces') return true;
  if (a.detector === 'log-templates') return a.score >= 0.6;
  if (a.detector === 'metrics') return !(a.signal.kind === 'series' && ROLLOUT_SERIES.test(a.signal.name));
  return false;
}

/** Whether an anomaly is about the workload or one of its pods / ReplicaSets. */
export function aboutWorkload(a: Anomaly, w: ResourceRef): boolean {
  const r = a.resource;
  return (
    r.cluster === w.cluster &&
    r.namespace === w.namespace &&
    (r.name === w.name || r.name.startsWith(`${w.name}-`))
  );
}

/** When the current template started rolling out: its ReplicaSet's creation, else the first snapshot with it. */
async function rolloutStart(
  w: ObjectSnapshot,
  change: RevisionChange,
  ctx: AnalysisContext,
): Promise<number | undefined> {
  if (change.currentReplicaSet) {
    const rs = await ctx.object(sibling(w.ref, 'ReplicaSet', change.currentReplicaSet));
    const created = Date.parse(text(at(rs?.object, 'metadata.creationTimestamp')) ?? '');
    if (Number.isFinite(created)) return created;
  }
  const current = JSON.stringify(at(w.object, 'spec.template'));
  let first: number | undefined;
  for (const past of await ctx.history(w.ref, 50)) {
    if (JSON.stringify(at(past.object, 'spec.template')) !== current) break;
    first = past.timeMs;
  }
  return first;
}

function remediation(w: ObjectSnapshot, change: RevisionChange): FindingRemediation {
  const target = `${w.ref.kind.toLowerCase()}/${w.ref.name}${nsFlag(w.ref)}`;
  const patch = imageRollbackPatch(
    w,
    change,
    (from) => `Errors and latency began after the image changed from ${from}; that version ran without them.`,
  );
  const back =
    w.ref.kind === 'Deployment' && change.previousRevision
      ? `kubectl rollout undo ${target} --to-revision=${change.previousRevision}`
      : `revert the template change in ${qualified(w.ref)}'s manifest`;
  return {
    steps: [
      `Roll back while the regression is investigated: ${back}.`,
      `Compare the two versions (${changesText(change.changes, 3)}) and the errors the new one logs.`,
      'Fix forward and roll out again once the change is understood.',
    ],
    commands: [
      `kubectl rollout history ${target}`,
      ...(change.currentRevision
        ? [`kubectl rollout history ${target} --revision=${change.currentRevision}`]
        : []),
      `kubectl logs ${target} --since=15m`,
    ],
    ...(patch ? { patch } : {}),
  };
}

/**
 * A rollout followed by a regression: the workload's template changed recently, and its own
 * requests, logs or metrics turned anomalous only after the new version began rolling out
 * (nothing was still wrong when it began) and are still anomalous (a blip while pods are replaced ends). A healthy rollout, or one that came after the trouble began,
 * gives no finding; crashes and probe failures of the new pods are the pod analyzer's.
 */
export const rolloutAnalyzer: Analyzer = {
  id: 'rollout',
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
  async analyze(ref, ctx) {
    const w = await ctx.object(ref);
    if (!w) return [];
    const change = await revisionChange(w, ctx);
    if (!change) return [];
    const startMs = await rolloutStart(w, change, ctx);
    if (startMs === undefined || ctx.nowMs - startMs > RECENT_MS || startMs > ctx.nowMs) return [];
    const around = (
      await ctx.anomalies({
        cluster: ref.cluster,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        fromMs: startMs - BEFORE_MS,
        toMs: ctx.nowMs,
      })
    ).filter((a) => symptom(a) && aboutWorkload(a, ref));
    // Already in trouble when the rollout began: the new version did not start it. Trouble that
    // had ended before (a traffic spike twenty minutes earlier) says nothing either way.
    if (around.some((a) => a.onsetMs < startMs && (a.endMs === undefined || a.endMs > startMs))) return [];
    const after = around
      .filter((a) => a.onsetMs >= startMs && a.onsetMs - startMs <= EFFECT_WINDOW_MS)
      .sort((a, b) => a.onsetMs - b.onsetMs);
    const first = after[0];
    // A bad version keeps failing; the blip of pods being replaced ends with the rollout.
    if (!first || !after.some((a) => a.endMs === undefined)) return [];
    const detectors = new Set(after.map((a) => a.detector));
    const revision = change.currentRevision ? ` to revision ${change.currentRevision}` : '';
    const delayS = Math.max(0, Math.round((first.onsetMs - startMs) / 1000));
    const evidence: Evidence[] = [
      ...change.evidence,
      ...after.slice(0, 8).map((a) => ({
        signal: { kind: 'anomaly' as const, id: a.id },
        summary: `${a.detector}: ${clip(a.title, 300)}`,
      })),
    ];
    const finding: Finding = {
      analyzer: 'rollout',
      resource: ref,
      failureMode: 'bad-rollout',
      title: clip(
        `${ref.kind} ${qualified(ref)}: the rollout${revision} was followed by errors or latency`,
        500,
      ),
      explanation: clip(
        `${ref.kind} ${ref.name} began rolling out a new version at ${new Date(startMs).toISOString()} ` +
          `(${changesText(change.changes)}). ${delayS} s later its own signals turned anomalous ` +
          `(${after.length} anomalies from ${[...detectors].join(', ')}; first: ${first.title}), and none ` +
          'were active before the rollout, so the new version is the likeliest cause.',
        4000,
      ),
      evidence,
      // Corroborated by more than one kind of signal, more certain; below a crash or probe
      // failure the pod analyzer can name precisely.
      confidence: Math.min(0.8, 0.65 + 0.075 * (detectors.size - 1)),
      remediation: remediation(w, change),
    };
    return [finding];
  },
};
