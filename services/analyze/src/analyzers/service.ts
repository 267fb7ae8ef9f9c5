import type { Evidence, ManifestPatch, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { matchesSelector, selectorText } from './label-selector';
import { at, condition, fieldEvidence, list, num, nsFlag, rec, stringMap, text } from './object-fields';

/** The kinds whose pod template labels a Service selector is written against. */
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/**
 * Services that cannot deliver traffic: a selector that matches no pod (naming near misses), pods
 * that match but none is ready, a targetPort no selected container declares.
 */
export const serviceAnalyzer: Analyzer = {
  id: 'service',
  kinds: ['Service'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const svc = await ctx.object(ref);
    if (!svc || at(svc.object, 'spec.type') === 'ExternalName') return [];
    const selector = stringMap(at(svc.object, 'spec.selector'));
    if (Object.keys(selector).length === 0) return [];
    const pods = (await ctx.objects(ref.cluster, 'Pod', ref.namespace)).filter((p) => {
      const phase = at(p.object, 'status.phase');
      return phase !== 'Succeeded' && phase !== 'Failed';
    });
    const selected = pods.filter((p) =>
      matchesSelector(stringMap(at(p.object, 'metadata.labels')), selector),
    );
    const sel = selectorText(selector);
    const selEvidence = fieldEvidence(svc, 'spec.selector', `selector ${sel}`);
    const commands = [
      `kubectl get endpointslices -l kubernetes.io/service-name=${ref.name}${nsFlag(ref)}`,
      `kubectl get pods -l ${sel} --show-labels${nsFlag(ref)}`,
    ];
    if (selected.length === 0) {
      const workloads = (
        await Promise.all(WORKLOAD_KINDS.map((k) => ctx.objects(ref.cluster, k, ref.namespace)))
      ).flat();
      return [noPods(svc, selector, pods, selEvidence, commands, selectorFix(svc, selector, workloads))];
    }
    const ready = selected.filter((p) => condition(p.object, 'Ready')?.['status'] === 'True');
    const out: Finding[] = [];
    if (ready.length === 0) {
      out.push({
        analyzer: 'service',
        resource: ref,
        failureMode: 'no-ready-endpoints',
        title: `Service ${ref.name} has no ready endpoints (${selected.length} matching pod${selected.length === 1 ? '' : 's'}, none ready)`,
        explanation: `Service ${ref.name} selects ${selected.length} pod${selected.length === 1 ? '' : 's'} (${selected
          .map((p) => p.ref.name)
          .slice(0, 5)
          .join(
            ', ',
          )}) but none is Ready, so connections to it fail or hang. The pods' own problems are the cause; fix those.`,
        evidence: [
          selEvidence,
          ...selected
            .slice(0, 5)
            .map((p) => fieldEvidence(p, 'status.conditions[type=Ready]', `pod ${p.ref.name} not ready`)),
        ],
        confidence: 0.85,
        remediation: {
          steps: ['Find out why the selected pods are not ready (the pod analyzer explains each).'],
          commands,
        },
      });
    }
    out.push(...portMismatches(svc, selected, commands));
    return out;
  },
};

function noPods(
  svc: ObjectSnapshot,
  selector: Record<string, string>,
  pods: ObjectSnapshot[],
  selEvidence: Evidence,
  commands: string[],
  fix: SelectorFix | undefined,
): Finding {
  const keys = Object.keys(selector);
  // Pods that miss by exactly one label are most often the typo or the renamed label.
  const near = pods.flatMap((p) => {
    const labels = stringMap(at(p.object, 'metadata.labels'));
    const off = keys.filter((k) => labels[k] !== selector[k]);
    const [k] = off;
    return off.length === 1 && k !== undefined ? [{ pod: p, key: k, has: labels[k] }] : [];
  });
  const nearText = near
    .slice(0, 3)
    .map((n) => `${n.pod.ref.name} has ${n.key}=${n.has ?? '(unset)'}`)
    .join('; ');
  return {
    analyzer: 'service',
    resource: svc.ref,
    failureMode: 'selector-matches-no-pods',
    title: `Service ${svc.ref.name} selects no pods (selector ${selectorText(selector)})`,
    explanation: `No running pod in namespace ${svc.ref.namespace ?? '?'} carries every label of the selector ${selectorText(selector)}, so the Service has no endpoints and every connection to it fails.${near.length > 0 ? ` Pods that miss by one label: ${nearText}.` : ''}`,
    evidence: [
      selEvidence,
      ...near
        .slice(0, 3)
        .map((n) =>
          fieldEvidence(
            n.pod,
            `metadata.labels.${n.key}`,
            `${n.pod.ref.name}: ${n.key}=${n.has ?? '(unset)'}`,
          ),
        ),
      ...(fix
        ? [
            fieldEvidence(
              fix.workload,
              'spec.template.metadata.labels',
              `the pods of ${fix.workload.ref.kind} ${fix.workload.ref.name} carry ${selectorText(fix.to)}`,
            ),
          ]
        : []),
    ],
    confidence: near.length > 0 ? 0.9 : 0.75,
    remediation: {
      steps: [
        near.length > 0
          ? 'Make the selector and the pod template labels agree (one of them has a typo or was renamed).'
          : 'Check the workload that should back this Service exists and its pod template carries the selector labels.',
      ],
      commands,
      ...(fix ? { patch: selectorPatch(svc, selector, fix) } : {}),
    },
  };
}

/** The workload a selector that matches nothing was clearly meant for, and the selector for it. */
interface SelectorFix {
  workload: ObjectSnapshot;
  to: Record<string, string>;
  why: string;
}

/**
 * The selector that would select the one workload the Service was clearly written for: a
 * workload whose pod template labels carry every selector key with exactly one value different
 * (a typo or a renamed value), or, failing that, the workload named like the Service (its own
 * matchLabels). Only when exactly one workload qualifies and the new selector matches no other
 * workload's pods; otherwise undefined, and a person decides.
 */
function selectorFix(
  svc: ObjectSnapshot,
  selector: Record<string, string>,
  workloads: readonly ObjectSnapshot[],
): SelectorFix | undefined {
  const labelled = workloads
    .map((w) => ({ w, labels: stringMap(at(w.object, 'spec.template.metadata.labels')) }))
    .filter((x) => Object.keys(x.labels).length > 0);
  // A workload the selector already matches has no pods running: the selector is not the problem.
  if (labelled.some(({ labels }) => matchesSelector(labels, selector))) return undefined;
  const keys = Object.keys(selector);
  const nearMiss = labelled.flatMap(({ w, labels }): SelectorFix[] => {
    if (!keys.every((k) => Object.hasOwn(labels, k))) return [];
    const off = keys.filter((k) => labels[k] !== selector[k]);
    const [k] = off;
    const value = k === undefined ? undefined : labels[k];
    if (off.length !== 1 || k === undefined || value === undefined) return [];
    return [
      {
        workload: w,
        to: { ...selector, [k]: value },
        why: `Only the pods of ${w.ref.kind} ${w.ref.name} miss the selector, by one label: ${k}=${value}.`,
      },
    ];
  });
  const named = labelled.flatMap(({ w, labels }): SelectorFix[] => {
    const sel = rec(at(w.object, 'spec.selector'));
    const own = stringMap(sel['matchLabels']);
    const plain = list(sel['matchExpressions']).length === 0 && Object.keys(own).length > 0;
    if (w.ref.name !== svc.ref.name || !plain || !matchesSelector(labels, own)) return [];
    return [
      {
        workload: w,
        to: own,
        why: `${w.ref.kind} ${w.ref.name} has the Service's name; select its pods by its matchLabels.`,
      },
    ];
  });
  const candidates = nearMiss.length > 0 ? nearMiss : named;
  const [fix, ...others] = candidates;
  if (!fix || others.length > 0) return undefined;
  // The new selector must not pull in the pods of any other workload.
  const strays = labelled.filter(({ w, labels }) => w !== fix.workload && matchesSelector(labels, fix.to));
  return strays.length === 0 ? fix : undefined;
}

function selectorPatch(
  svc: ObjectSnapshot,
  selector: Record<string, string>,
  fix: SelectorFix,
): ManifestPatch {
  return {
    kind: 'Service',
    name: svc.ref.name,
    ...(svc.ref.namespace ? { namespace: svc.ref.namespace } : {}),
    field: 'spec.selector',
    from: selectorText(selector),
    to: selectorText(fix.to),
    rationale: fix.why,
  };
}

/** A targetPort (number or name) that no container of the selected pods declares. */
function portMismatches(svc: ObjectSnapshot, pods: ObjectSnapshot[], commands: string[]): Finding[] {
  const declared = pods.flatMap((p) =>
    list(at(p.object, 'spec.containers')).flatMap((c) => list(c['ports'])),
  );
  if (declared.length === 0) return [];
  const out: Finding[] = [];
  list(at(svc.object, 'spec.ports')).forEach((sp, i) => {
    const target = sp['targetPort'] ?? sp['port'];
    const ok =
      typeof target === 'number'
        ? declared.some((d) => num(d['containerPort']) === target)
        : declared.some((d) => d['name'] === target);
    if (ok || target === undefined) return;
    const shown = typeof target === 'number' ? String(target) : (text(target) ?? '?');
    const offered = [
      ...new Set(
        declared.map(
          (d) => `${num(d['containerPort']) ?? '?'}${text(d['name']) ? `/${text(d['name']) ?? ''}` : ''}`,
        ),
      ),
    ].join(', ');
    out.push({
      analyzer: 'service',
      resource: svc.ref,
      failureMode: 'target-port-mismatch',
      title: `Service ${svc.ref.name} port ${num(sp['port']) ?? '?'} targets ${shown}, which no selected container declares`,
      explanation: `Service ${svc.ref.name} forwards port ${num(sp['port']) ?? '?'} to targetPort ${shown}, but its pods' containers declare ${offered}. Traffic reaches a port nothing listens on (or, for a name, is not forwarded at all).`,
      evidence: [
        fieldEvidence(svc, `spec.ports[${i}].targetPort`, `targetPort ${shown}`),
        ...pods.slice(0, 1).map((p) => fieldEvidence(p, 'spec.containers', `containers declare ${offered}`)),
      ],
      confidence: 0.8,
      remediation: {
        steps: [`Set targetPort to the port the application listens on (one of ${offered}).`],
        commands,
        ...(declared.length === 1 && declared[0]
          ? {
              patch: {
                kind: 'Service',
                name: svc.ref.name,
                ...(svc.ref.namespace ? { namespace: svc.ref.namespace } : {}),
                field: `spec.ports[${i}].targetPort`,
                from: shown,
                to: String(num(declared[0]['containerPort']) ?? text(declared[0]['name']) ?? '?'),
                rationale: 'The only port the selected containers declare.',
              },
            }
          : {}),
      },
    });
  });
  return out;
}
