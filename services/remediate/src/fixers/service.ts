import type { ManifestPatch } from '@sleuth/core';
import { isDeepStrictEqual } from 'node:util';
import { decline, isDecline, type Decline } from '../decline';
import type { FieldEdit } from '../edit/yaml-edit';
import { formatFieldPath, isRecord, key, scalarText, type PathSegment } from '../field-path';
import type { Fixer, FixerInput, RemediationProposal } from './fixer';
import { getField, nsFlag } from './kubectl';
import { analyzerRationale, checkTarget, labelMap, portValue } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';

const TARGET_PORT = /^spec\.ports\[\d+\]\.targetPort$/;
const SELECTOR = /^spec\.selector$/;

function selectorText(m: Record<string, string>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function endpoints(patch: ManifestPatch): string {
  return `kubectl get endpointslices -l kubernetes.io/service-name=${patch.name}${nsFlag(patch)}`;
}

function ref(patch: ManifestPatch): string {
  return `Service ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
}

function targetPort(input: FixerInput, value: number | string): RemediationProposal | Decline {
  const { patch, field, manifest } = input;
  const live = manifest.valueOf(field);
  const portPath: PathSegment[] = [...field.slice(0, -1), key('port')];
  const port = scalarText(manifest.valueOf(portPath).value) ?? '?';
  const extra = analyzerRationale(patch, input.rootCause.origin);
  return buildProposal(input, {
    fixer: 'service',
    edits: [{ op: 'set', path: manifest.fieldPath, value }],
    // Without a targetPort, Kubernetes sends traffic to the port number itself.
    current: live.found ? live.value : manifest.valueOf(portPath).value,
    same: (v, text) => scalarText(v) === text,
    title: `Send ${ref(patch)} port ${port} to targetPort ${patch.to}`,
    slug: slugOf('service', patch.name, 'target-port'),
    rationale: `${ref(patch)} forwards port ${port} to ${patch.from}, which no selected container declares. Forward it to ${patch.to}.${extra ? ` ${extra}` : ''}`,
    risk: `Traffic to the Service moves to ${patch.to} on the selected pods as soon as it syncs (no pod restarts); if the application does not listen there, connections keep failing.`,
    rollback: revertRollback(`the Service forwards to ${patch.from} again.`),
    commands: [endpoints(patch), getField(patch, field.slice(0, -2))],
  });
}

function selector(input: FixerInput, from: Record<string, string>, to: Record<string, string>) {
  const { patch, manifest } = input;
  const raw = manifest.valueOf(input.field).value;
  const current: Record<string, string> = {};
  if (isRecord(raw)) for (const [k, v] of Object.entries(raw)) current[k] = scalarText(v) ?? '';
  const edits: FieldEdit[] = [
    ...Object.entries(to)
      .filter(([k, v]) => current[k] !== v)
      .map(([k, v]): FieldEdit => ({ op: 'set', path: [...manifest.fieldPath, key(k)], value: v })),
    ...Object.keys(current)
      .filter((k) => !(k in to))
      .map((k): FieldEdit => ({ op: 'delete', path: [...manifest.fieldPath, key(k)] })),
  ];
  const extra = analyzerRationale(patch, input.rootCause.origin);
  return buildProposal(input, {
    fixer: 'service',
    edits,
    current: isRecord(raw) ? raw : undefined,
    same: (v, text) => isRecord(v) && isDeepStrictEqual(current, labelMap(text)),
    title: `Make the selector of ${ref(patch)} match its pods (${selectorText(to)})`,
    slug: slugOf('service', patch.name, 'selector'),
    rationale: `${ref(patch)} selects ${selectorText(from)}, which matches no pod, so it has no endpoints. Select ${selectorText(to)} instead.${extra ? ` ${extra}` : ''}`,
    risk: `The Service sends traffic to every pod the new selector matches as soon as it syncs (no pod restarts); check it selects only the pods meant to serve it.`,
    rollback: revertRollback('the Service selects what it selected before (and again has no endpoints).'),
    commands: [`kubectl get pods -l ${selectorText(to)}${nsFlag(patch)} --show-labels`, endpoints(patch)],
  });
}

/**
 * Services that deliver to nothing: a targetPort no selected container declares (the service
 * analyzer proposes the only declared port), or a selector that matches no pod (written
 * `key=value,...`; the service analyzer proposes one when exactly one workload's pod labels
 * clearly identify it: one value off, or the workload named like the Service).
 */
export const serviceFixer: Fixer = {
  id: 'service',
  failureModes: ['target-port-mismatch', 'selector-matches-no-pods'],
  accepts(patch, field) {
    const bad = checkTarget(patch, ['Service'], 'service');
    if (bad) return bad;
    const f = formatFieldPath(field);
    if (TARGET_PORT.test(f)) {
      const v = portValue(patch.to, 'targetPort');
      return isDecline(v) ? v : undefined;
    }
    if (SELECTOR.test(f))
      return labelMap(patch.to) && labelMap(patch.from)
        ? undefined
        : decline(
            'invalid-patch',
            'the proposed selector is not a label map (key=value,...); nothing was changed',
          );
    return decline(
      'invalid-patch',
      `the service fixer changes spec.selector or spec.ports[i].targetPort, not ${f}`,
    );
  },
  propose(input) {
    const bad = serviceFixer.accepts(input.patch, input.field);
    if (bad) return bad;
    const f = formatFieldPath(input.field);
    const mode = input.rootCause.failureMode;
    if (TARGET_PORT.test(f) && mode === 'target-port-mismatch') {
      const v = portValue(input.patch.to, 'targetPort');
      return isDecline(v) ? v : targetPort(input, v);
    }
    const from = labelMap(input.patch.from);
    const to = labelMap(input.patch.to);
    if (SELECTOR.test(f) && mode === 'selector-matches-no-pods' && from && to)
      return selector(input, from, to);
    return decline('invalid-patch', `the patch's field ${f} does not fit the failure mode ${mode}`);
  },
};
