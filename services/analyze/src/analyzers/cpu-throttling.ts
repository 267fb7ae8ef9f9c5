import type { Evidence, ObjectSnapshot } from '@sleuth/core';
import { fromPrometheus, type AnalysisContext, type Analyzer, type SeriesWindow } from './analyzer';
import type { Finding, FindingRemediation } from './finding';
import { at, clip, fieldEvidence, list, nsFlag, qualified, quantity, text } from './object-fields';
import { aboutWorkload } from './rollout';
import { workloadPods } from './workload-pods';
import { revisionChange } from './workload-revision';

/** The window throttling is measured over. */
const WINDOW_MS = 10 * 60_000;
/** Share of CFS periods throttled from which a container is starved of CPU. */
const THROTTLED_SHARE = 0.25;
/** Latency and error anomalies on the workload this recent corroborate the throttling. */
const SYMPTOM_MS = 30 * 60_000;

/** How much a counter rose over its points (resets, e.g. a restart, start again from zero). */
function increase(points: readonly [number, number][]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]![1] - points[i - 1]![1];
    total += d >= 0 ? d : points[i]![1];
  }
  return total;
}

const labelled = (s: SeriesWindow, container: string | undefined): boolean =>
  container === undefined || s.labels['container'] === undefined || s.labels['container'] === container;

interface Starved {
  pod: ObjectSnapshot;
  container: string;
  share: number;
  limit: string;
  evidence: Evidence;
}

async function starvedContainers(pods: ObjectSnapshot[], ctx: AnalysisContext): Promise<Starved[]> {
  const fromMs = ctx.nowMs - WINDOW_MS;
  const out: Starved[] = [];
  for (const pod of pods) {
    const q = { cluster: pod.ref.cluster, pod: pod.ref.name, fromMs, toMs: ctx.nowMs + 1 };
    const ns = pod.ref.namespace ? { namespace: pod.ref.namespace } : {};
    const throttled = await ctx.series({ ...q, ...ns, name: 'container_cpu_cfs_throttled_periods_total' });
    if (throttled.length === 0) continue;
    const periods = await ctx.series({ ...q, ...ns, name: 'container_cpu_cfs_periods_total' });
    for (const c of list(at(pod.object, 'spec.containers'))) {
      const name = text(c['name']);
      const limit = text(at(c, 'resources.limits.cpu'));
      if (!name || !limit) continue;
      const t = throttled.find((s) => labelled(s, name));
      const p = periods.find((s) => labelled(s, name));
      if (!t || !p) continue;
      const total = increase(p.points);
      if (total <= 0) continue;
      const share = increase(t.points) / total;
      if (share < THROTTLED_SHARE) continue;
      out.push({
        pod,
        container: name,
        share,
        limit,
        evidence: {
          signal: {
            kind: 'series',
            name: t.name,
            labels: t.labels,
            fromMs,
            toMs: ctx.nowMs,
          },
          summary: `${pod.ref.name}/${name}: ${Math.round(share * 100)}% of CPU periods throttled at a ${limit} limit over the last ${WINDOW_MS / 60_000} min${fromPrometheus(t)}`,
        },
      });
    }
  }
  return out.sort((a, b) => b.share - a.share);
}

/** A CPU limit that gives the busiest container room again: the limit before a cut, else double. */
function proposedLimit(current: string, before: string | undefined): string {
  const now = quantity(current);
  const was = before === undefined ? undefined : quantity(before);
  if (was !== undefined && now !== undefined && was > now) return before as string;
  if (now === undefined) return current;
  const milli = Math.ceil((now * 2 * 1000) / 100) * 100;
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function remediation(w: ObjectSnapshot, s: Starved, to: string): FindingRemediation {
  const target = `${w.ref.kind.toLowerCase()}/${w.ref.name}${nsFlag(w.ref)}`;
  return {
    steps: [
      `Raise ${s.container}'s CPU limit from ${s.limit} to ${to} (or remove the limit and keep the request) so it stops being throttled.`,
      'Check that the nodes have room for it, and watch latency fall once the new pods run.',
    ],
    commands: [
      `kubectl top pods${nsFlag(w.ref)} --containers`,
      `kubectl get ${target} -o jsonpath='{.spec.template.spec.containers[*].resources}'`,
      `kubectl describe pod ${s.pod.ref.name}${nsFlag(s.pod.ref)}`,
    ],
    patch: {
      kind: w.ref.kind,
      name: w.ref.name,
      ...(w.ref.namespace ? { namespace: w.ref.namespace } : {}),
      field: `spec.template.spec.containers[name=${s.container}].resources.limits.cpu`,
      from: s.limit,
      to,
      rationale: `The container spends ${Math.round(s.share * 100)}% of its CPU periods throttled at ${s.limit}; requests wait for CPU time.`,
    },
  };
}

/**
 * CPU throttling: a workload's containers hit their CFS quota in a large share of periods (from
 * cAdvisor's `container_cpu_cfs_*` counters), so requests wait for CPU. More certain when its
 * latency or errors are anomalous at the same time, and when the latest rollout lowered the limit.
 */
export const cpuThrottlingAnalyzer: Analyzer = {
  id: 'cpu-throttling',
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
  async analyze(ref, ctx) {
    const w = await ctx.object(ref);
    if (!w) return [];
    const starved = await starvedContainers(await workloadPods(w, ctx), ctx);
    const worst = starved[0];
    if (!worst) return [];
    const symptoms = (
      await ctx.anomalies({
        cluster: ref.cluster,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        fromMs: ctx.nowMs - SYMPTOM_MS,
        toMs: ctx.nowMs + 1,
      })
    ).filter((a) => (a.detector === 'traces' || a.detector === 'metrics') && aboutWorkload(a, ref));
    const change = await revisionChange(w, ctx);
    const cut = change?.changes.find(
      (c) => c.container === worst.container && c.what === 'resources.limits.cpu',
    );
    const to = proposedLimit(worst.limit, cut?.from);
    const pods = new Set(starved.map((s) => s.pod.ref.name));
    const finding: Finding = {
      analyzer: 'cpu-throttling',
      resource: ref,
      failureMode: 'cpu-throttling',
      title: clip(
        `${ref.kind} ${qualified(ref)}: container ${worst.container} is CPU-throttled (${Math.round(worst.share * 100)}% of periods at a ${worst.limit} limit)`,
        500,
      ),
      explanation: clip(
        `${pods.size} pod(s) of ${ref.name} hit their CPU limit in most scheduling periods, so their ` +
          `threads wait for CPU time and every request takes longer.` +
          (cut ? ` The latest rollout lowered the limit from ${cut.from} to ${cut.to}.` : '') +
          (symptoms.length > 0
            ? ` At the same time: ${symptoms
                .slice(0, 3)
                .map((a) => a.title)
                .join('; ')}.`
            : ''),
        4000,
      ),
      evidence: [
        ...starved.slice(0, 5).map((s) => s.evidence),
        fieldEvidence(
          worst.pod,
          `spec.containers[name=${worst.container}].resources.limits.cpu`,
          `CPU limit ${worst.limit}`,
        ),
        ...(cut && change ? change.evidence : []),
        ...symptoms.slice(0, 5).map((a) => ({
          signal: { kind: 'anomaly' as const, id: a.id },
          summary: `${a.detector}: ${clip(a.title, 300)}`,
        })),
      ],
      confidence: symptoms.length > 0 ? (cut ? 0.9 : 0.8) : cut ? 0.7 : 0.55,
      remediation: remediation(w, worst, to),
    };
    return [finding];
  },
};
