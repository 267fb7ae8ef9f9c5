import type { Evidence, ObjectSnapshot, ResourceRef } from '@sleuth/core';
import type { Analyzer, AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import { at, clip, eventEvidence, fieldEvidence, nsFlag, quantity, text } from './object-fields';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
const CLASS_NOT_FOUND = /storageclass\.storage\.k8s\.io "([^"]+)" not found/i;
/** A claim younger than this, with no Warning about it, may simply be provisioning. */
const GRACE_MS = 2 * 60_000;

/**
 * PersistentVolumeClaims stuck Pending: a StorageClass that does not exist, no PersistentVolume that
 * could bind a claim without a class (naming why the candidates do not fit), or the provisioner's
 * own failure message. Claims waiting for their first consumer are not a fault.
 */
export const pvcAnalyzer: Analyzer = {
  id: 'pvc',
  kinds: ['PersistentVolumeClaim'],
  async analyze(ref: ResourceRef, ctx: AnalysisContext): Promise<Finding[]> {
    const pvc = await ctx.object(ref);
    if (!pvc || at(pvc.object, 'status.phase') !== 'Pending') return [];
    const created = Date.parse(text(at(pvc.object, 'metadata.creationTimestamp')) ?? '');
    const young = Number.isFinite(created) && ctx.nowMs - created < GRACE_MS;
    const events = (await ctx.events(ref)).filter(
      (e) => e.type === 'Warning' || e.reason === 'WaitForFirstConsumer',
    );
    if (events[0]?.reason === 'WaitForFirstConsumer') return [];
    const failures = events.filter((e) => e.type === 'Warning');
    // A young claim may simply be provisioning, unless the provisioner already said why it cannot.
    if (young && failures.length === 0) return [];
    const cls = text(at(pvc.object, 'spec.storageClassName'));
    const base = { analyzer: 'pvc', resource: ref };
    const commands = [
      `kubectl describe pvc ${ref.name}${nsFlag(ref)}`,
      'kubectl get storageclass',
      'kubectl get pv',
    ];
    const pending = fieldEvidence(pvc, 'status.phase', 'Pending');

    const classes = await ctx.objects(ref.cluster, 'StorageClass');
    const notFound = failures.find((e) => CLASS_NOT_FOUND.test(e.message));
    if (cls && (notFound || (classes.length > 0 && !classes.some((c) => c.ref.name === cls)))) {
      return [
        {
          ...base,
          failureMode: 'storage-class-missing',
          title: `PVC ${ref.name} is Pending: StorageClass ${cls} does not exist`,
          explanation: `The claim asks for StorageClass ${cls}, which the cluster does not have, so no volume is provisioned and pods mounting it stay Pending.${classes.length > 0 ? ` Classes available: ${classes.map((c) => c.ref.name).join(', ')}.` : ''}`,
          evidence: [
            pending,
            fieldEvidence(pvc, 'spec.storageClassName', `storageClassName ${cls}`),
            ...eventEvidence(notFound ? [notFound] : [], notFound?.message ?? ''),
          ],
          confidence: 0.9,
          remediation: {
            steps: [
              `Use an existing StorageClass${classes.length > 0 ? ` (${classes.map((c) => c.ref.name).join(', ')})` : ''} or install the provisioner for ${cls}.`,
            ],
            commands,
          },
        },
      ];
    }
    if (!cls) {
      const why = await noMatchingPv(pvc, ctx);
      return [
        {
          ...base,
          failureMode: 'no-matching-pv',
          title: `PVC ${ref.name} is Pending: no PersistentVolume matches it`,
          explanation: `The claim names no StorageClass, so it can only bind an existing PersistentVolume, and none fits. ${why.text}`,
          evidence: [
            pending,
            fieldEvidence(pvc, 'spec', why.wants),
            ...why.evidence,
            ...eventEvidence(failures, failures[0]?.message ?? ''),
          ],
          confidence: 0.8,
          remediation: {
            steps: [
              'Create a PersistentVolume that satisfies the claim, or set a storageClassName so one is provisioned.',
            ],
            commands,
          },
        },
      ];
    }
    const latest = failures[0];
    if (!latest) return [];
    return [
      {
        ...base,
        failureMode: 'provisioning-failed',
        title: `PVC ${ref.name} is Pending: provisioning with ${cls} fails`,
        explanation: `The provisioner for StorageClass ${cls} reports: "${clip(latest.message, 600)}".`,
        evidence: [pending, ...eventEvidence(failures, `${latest.reason}: ${clip(latest.message, 300)}`)],
        confidence: 0.75,
        remediation: {
          steps: ['Fix what the provisioner reports (quota, zone, parameters of the StorageClass).'],
          commands,
        },
      },
    ];
  },
};

/** Why no Available PersistentVolume fits the claim: the nearest candidates and their mismatch. */
async function noMatchingPv(
  pvc: ObjectSnapshot,
  ctx: AnalysisContext,
): Promise<{ text: string; wants: string; evidence: Evidence[] }> {
  const request = text(at(pvc.object, 'spec.resources.requests.storage'));
  const size = quantity(request) ?? 0;
  const modes = strings(at(pvc.object, 'spec.accessModes'));
  const wants = `requests ${request ?? '?'} ${modes.join(',')}`;
  const pvs = (await ctx.objects(pvc.ref.cluster, 'PersistentVolume')).filter(
    (pv) => at(pv.object, 'status.phase') === 'Available' && !text(at(pv.object, 'spec.storageClassName')),
  );
  if (pvs.length === 0)
    return { text: 'There is no Available PersistentVolume without a class.', wants, evidence: [] };
  const reasons = pvs.slice(0, 3).map((pv) => {
    const cap = text(at(pv.object, 'spec.capacity.storage'));
    const pvModes = strings(at(pv.object, 'spec.accessModes'));
    const off: string[] = [];
    if ((quantity(cap) ?? 0) < size) off.push(`${cap ?? '?'} is smaller than ${request ?? '?'}`);
    const lacking = modes.filter((m) => !pvModes.includes(m));
    if (lacking.length > 0) off.push(`lacks access mode ${lacking.join(',')}`);
    return {
      pv,
      text: `${pv.ref.name}: ${off.join(', ') || 'fits, but is not selected (label selector or volumeMode)'}`,
    };
  });
  return {
    text: `Available volumes without a class: ${reasons.map((r) => r.text).join('; ')}.`,
    wants,
    evidence: reasons.map((r) => fieldEvidence(r.pv, 'spec', r.text)),
  };
}
