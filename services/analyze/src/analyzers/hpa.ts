import type { ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import {
  at,
  clip,
  condition,
  eventEvidence,
  fieldEvidence,
  list,
  nsFlag,
  num,
  rec,
  sibling,
  text,
} from './object-fields';

const METRIC_FAILURES =
  /^FailedGet(Resource|Pods|Object|External|ContainerResource)Metric$|^FailedComputeMetricsReplicas$/;

/**
 * HorizontalPodAutoscalers that cannot do their job: a scale target that does not exist, metrics
 * it cannot read (so it cannot scale), and pinned at maxReplicas while still wanting more.
 */
export const hpaAnalyzer: Analyzer = {
  id: 'hpa',
  kinds: ['HorizontalPodAutoscaler'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const hpa = await ctx.object(ref);
    if (!hpa) return [];
    const base = { analyzer: 'hpa', resource: ref };
    const commands = [`kubectl describe hpa ${ref.name}${nsFlag(ref)}`];
    const kind = text(at(hpa.object, 'spec.scaleTargetRef.kind'));
    const name = text(at(hpa.object, 'spec.scaleTargetRef.name'));
    if (kind && name && !(await ctx.object(sibling(ref, kind, name)))) {
      return [
        {
          ...base,
          failureMode: 'missing-scale-target',
          title: `HPA ${ref.name} scales ${kind} ${name}, which does not exist`,
          explanation: `The autoscaler's scaleTargetRef names ${kind} ${name}, which is not in namespace ${ref.namespace ?? '?'}; it scales nothing.`,
          evidence: [fieldEvidence(hpa, 'spec.scaleTargetRef', `target ${kind}/${name}`)],
          confidence: 0.9,
          remediation: {
            steps: [`Point scaleTargetRef at the workload's real name, or delete the stale HPA.`],
            commands: [...commands, `kubectl get ${kind.toLowerCase()}${nsFlag(ref)}`],
          },
        },
      ];
    }
    const out: Finding[] = [];
    const target = kind && name ? await ctx.object(sibling(ref, kind, name)) : undefined;
    if (target) out.push(...missingRequests(hpa, target));
    const active = condition(hpa.object, 'ScalingActive');
    const events = (await ctx.events(ref, ctx.nowMs - 30 * 60_000)).filter((e) =>
      METRIC_FAILURES.test(e.reason),
    );
    if (out.length === 0 && (active?.['status'] === 'False' || events.length > 0)) {
      const message = text(active?.['message']) ?? events[0]?.message ?? '';
      out.push({
        ...base,
        failureMode: 'metrics-unavailable',
        title: `HPA ${ref.name} cannot read its metrics, so it cannot scale`,
        explanation: `The autoscaler reports: "${clip(message, 500)}". Without metrics it keeps the current replica count whatever the load. Common causes: metrics-server (or the custom/external metrics adapter) is not running, or the pods have no resource requests for a utilization target.`,
        evidence: [
          ...(active
            ? [
                fieldEvidence(
                  hpa,
                  'status.conditions[type=ScalingActive]',
                  `ScalingActive=${String(active['status'])} (${text(active['reason']) ?? '?'})`,
                ),
              ]
            : []),
          ...eventEvidence(events, `${events[0]?.reason ?? ''}: ${clip(events[0]?.message ?? '', 200)}`),
        ],
        confidence: 0.85,
        remediation: {
          steps: [
            "Check the metrics API answers (kubectl top pods) and that the target's containers set the resource requests the HPA measures against.",
          ],
          commands: [...commands, `kubectl top pods${nsFlag(ref)}`],
        },
      });
    }
    const max = num(at(hpa.object, 'spec.maxReplicas'));
    const current = num(at(hpa.object, 'status.currentReplicas'));
    const desired = num(at(hpa.object, 'status.desiredReplicas'));
    const limited = condition(hpa.object, 'ScalingLimited');
    if (
      max !== undefined &&
      current !== undefined &&
      current >= max &&
      (limited?.['status'] === 'True' || (desired ?? 0) >= max)
    ) {
      out.push({
        ...base,
        failureMode: 'hpa-at-max',
        title: `HPA ${ref.name} is at its maximum of ${max} replicas`,
        explanation: `${kind ?? 'The target'} ${name ?? ''} runs ${current} replicas, the HPA's maxReplicas, and the autoscaler would add more if allowed${limited ? ` (${text(limited['reason']) ?? ''}: ${clip(text(limited['message']) ?? '', 200)})` : ''}. Load beyond this point degrades the service.`,
        evidence: [
          fieldEvidence(hpa, 'status.currentReplicas', `${current} replicas`),
          fieldEvidence(hpa, 'spec.maxReplicas', `maxReplicas ${max}`),
        ],
        confidence: 0.75,
        remediation: {
          steps: [
            'Raise maxReplicas if the cluster has room, or find why each replica handles less load than before (a slower dependency, a regression).',
          ],
          commands,
          patch: {
            kind: 'HorizontalPodAutoscaler',
            name: ref.name,
            ...(ref.namespace ? { namespace: ref.namespace } : {}),
            field: 'spec.maxReplicas',
            from: String(max),
            to: String(Math.ceil(max * 1.5)),
            rationale:
              'Headroom of 50% above the ceiling the autoscaler is pinned at; confirm the cluster can schedule it.',
          },
        },
      });
    }
    return out;
  },
};

/**
 * A utilization target (`averageUtilization` of cpu/memory) on a workload whose containers request
 * none of that resource: utilization is a share of the request, so the HPA cannot compute it.
 */
function missingRequests(hpa: ObjectSnapshot, target: ObjectSnapshot): Finding[] {
  const out: Finding[] = [];
  const containers = list(at(target.object, 'spec.template.spec.containers'));
  for (const [i, m] of list(at(hpa.object, 'spec.metrics')).entries()) {
    const res = rec(m['resource']);
    const resource = text(res['name']);
    if (m['type'] !== 'Resource' || !resource || rec(res['target'])['type'] !== 'Utilization') continue;
    const lacking = containers
      .filter((c) => rec(rec(c['resources'])['requests'])[resource] === undefined)
      .map((c) => text(c['name']) ?? '?');
    if (lacking.length === 0) continue;
    out.push({
      analyzer: 'hpa',
      resource: hpa.ref,
      failureMode: 'missing-resource-requests',
      title: `HPA ${hpa.ref.name} targets ${resource} utilization but ${target.ref.kind} ${target.ref.name} requests no ${resource}`,
      explanation: `Utilization is usage divided by the request, and container${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} of ${target.ref.kind} ${target.ref.name} set${lacking.length === 1 ? 's' : ''} no ${resource} request, so the autoscaler cannot compute it and does not scale.`,
      evidence: [
        fieldEvidence(
          hpa,
          `spec.metrics[${i}]`,
          `${resource} averageUtilization ${num(rec(res['target'])['averageUtilization']) ?? '?'}%`,
        ),
        fieldEvidence(
          target,
          'spec.template.spec.containers',
          `no ${resource} request on ${lacking.join(', ')}`,
        ),
      ],
      confidence: 0.9,
      remediation: {
        steps: [
          `Set resources.requests.${resource} on ${lacking.join(', ')} to the usage of a typical replica.`,
        ],
        commands: [
          `kubectl describe hpa ${hpa.ref.name}${nsFlag(hpa.ref)}`,
          `kubectl top pods --containers${nsFlag(hpa.ref)}`,
        ],
      },
    });
  }
  return out;
}
