import type { ObjectSnapshot } from '@sleuth/core';
import { fromPrometheus, type AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { fieldEvidence, mebibytes, nsFlag, quantity, rec, text } from './object-fields';
import type { PodContainer } from './pod-containers';
import { podOwner } from './pod-workload';

/** The window the working set is read over. */
const WINDOW_MS = 5 * 60_000;
/** From this share of the limit a container is close to being OOMKilled. */
const NEAR = 0.85;
/** The climb over the window (share of the limit) that makes it a trend rather than a plateau. */
const CLIMB = 0.05;
/** A kill projected further away than this is not imminent. */
const HORIZON_MS = 10 * 60_000;

/**
 * A container whose working set is close to its memory limit and still climbing: the kernel will
 * OOMKill it soon (a leak, or a limit too low for the load). Read from
 * `container_memory_working_set_bytes` (what the kubelet's eviction and the OOM killer go by);
 * once the kill has happened the OOMKilled finding takes over.
 */
export async function memoryNearLimit(
  pod: ObjectSnapshot,
  c: PodContainer,
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const limitText = text(rec(rec(c.spec['resources'])['limits'])['memory']);
  const limit = quantity(limitText);
  if (!limitText || !limit) return [];
  const fromMs = ctx.nowMs - WINDOW_MS;
  const series = (
    await ctx.series({
      name: 'container_memory_working_set_bytes',
      cluster: pod.ref.cluster,
      pod: pod.ref.name,
      fromMs,
      toMs: ctx.nowMs + 1,
      ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
    })
  ).find((s) => s.labels['container'] === undefined || s.labels['container'] === c.name);
  const points = series?.points ?? [];
  const last = points[points.length - 1];
  if (!series || !last || points.length < 3) return [];
  const [lastMs, used] = last;
  if (used < NEAR * limit || ctx.nowMs - lastMs > 2 * 60_000) return [];
  // The climb since the lowest point of the window (a restart resets it).
  let low = points[0] as [number, number];
  for (const p of points) if (p[1] <= low[1]) low = p;
  if (lastMs <= low[0] || used - low[1] < CLIMB * limit) return [];
  const perMs = (used - low[1]) / (lastMs - low[0]);
  const leftMs = Math.max(0, (limit - used) / perMs);
  if (leftMs > HORIZON_MS) return [];
  const share = Math.round((used / limit) * 100);
  const inS = Math.round(leftMs / 1000);
  const owner = await podOwner(pod, ctx);
  const containerField = `${owner.podSpecField}.${c.init ? 'initContainers' : 'containers'}[name=${c.name}]`;
  const proposed = mebibytes(limit * 1.5);
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'memory-near-limit',
      title: `${c.label} of pod ${pod.ref.name} is at ${share}% of its ${limitText} memory limit and climbing`,
      explanation:
        `The ${c.label}'s working set rose from ${mebibytes(low[1])} to ${mebibytes(used)} in ` +
        `${Math.round((lastMs - low[0]) / 1000)} s; at that rate it reaches its ${limitText} limit in ` +
        `about ${inS} s, and the kernel will OOMKill it. A steady climb under steady load points to a leak.`,
      evidence: [
        {
          signal: { kind: 'series', name: series.name, labels: series.labels, fromMs, toMs: ctx.nowMs },
          summary: `working-set memory ${mebibytes(low[1])} → ${mebibytes(used)} (${share}% of the limit)${fromPrometheus(series)}`,
        },
        fieldEvidence(pod, `${c.specField}.resources.limits.memory`, `memory limit ${limitText}`),
      ],
      confidence: 0.8,
      remediation: {
        steps: [
          'Find what holds the memory (heap profile, recent change) before the kernel kills the container.',
          `If the work needs it, raise the memory limit from ${limitText} to ${proposed} (and the request with it).`,
        ],
        commands: [
          `kubectl top pod ${pod.ref.name} --containers${nsFlag(pod.ref)}`,
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
        ],
        patch: {
          kind: owner.kind,
          name: owner.name,
          ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
          field: `${containerField}.resources.limits.memory`,
          from: limitText,
          to: proposed,
          rationale: `Working set at ${share}% of the limit and climbing; 1.5× the limit buys time while the growth is explained.`,
        },
      },
    },
  ];
}
