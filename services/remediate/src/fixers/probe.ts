import { decline, isDecline, type Decline } from '../decline';
import { isRecord, key, scalarText, type PathSegment } from '../field-path';
import type { Fixer } from './fixer';
import { containerOf, getField, nsFlag, rolloutStatus } from './kubectl';
import { analyzerRationale, checkField, checkTarget, httpPathValue, portValue } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';
import { WORKLOAD_KINDS } from './resource-limit';

const PROBE_FIELD =
  /(^|\.)(containers|initContainers)\[name=[^\]]+\]\.(liveness|readiness|startup)Probe\.(httpGet\.(port|path)|tcpSocket\.port|grpc\.port)$/;

function keyAt(field: readonly PathSegment[], fromEnd: number): string {
  const s = field[field.length - fromEnd];
  return s?.kind === 'key' ? s.key : '';
}

/** The probe's new port (number or name) or HTTP path, checked for what the field can hold. */
function probeValue(to: string, field: readonly PathSegment[]): number | string | Decline {
  if (keyAt(field, 1) === 'path') return httpPathValue(to);
  return portValue(to, 'probe port', keyAt(field, 2) !== 'grpc');
}

/** The ports a container declares, as numbers and names, from every document that lists them. */
function declaredPorts(lists: unknown[]): { numbers: number[]; names: string[] } {
  const numbers: number[] = [];
  const names: string[] = [];
  for (const list of lists)
    for (const p of Array.isArray(list) ? list : []) {
      if (!isRecord(p)) continue;
      if (typeof p['containerPort'] === 'number') numbers.push(p['containerPort']);
      if (typeof p['name'] === 'string') names.push(p['name']);
    }
  return { numbers, names };
}

/**
 * Failing probes: points a probe at the port or path the analyzer names, when the container
 * declares that port. The pod-probe analyzer proposes a port when the probe targets a port the
 * container does not declare and the container declares exactly one TCP port.
 */
export const probeFixer: Fixer = {
  id: 'probe',
  failureModes: ['liveness-probe-failing', 'readiness-probe-failing', 'startup-probe-failing'],
  accepts(patch, field) {
    const bad =
      checkTarget(patch, WORKLOAD_KINDS, 'probe') ??
      checkField(field, PROBE_FIELD, "a container probe's port or path");
    if (bad) return bad;
    const v = probeValue(patch.to, field);
    return isDecline(v) ? v : undefined;
  },
  propose(input) {
    const { patch, field, manifest, rootCause } = input;
    const bad = probeFixer.accepts(patch, field);
    if (bad) return bad;
    const value = probeValue(patch.to, field);
    if (isDecline(value)) return value;
    const probeKey = field.find((s) => s.kind === 'key' && s.key.endsWith('Probe'));
    const type = probeKey?.kind === 'key' ? probeKey.key.replace(/Probe$/, '') : '';
    if (rootCause.failureMode !== `${type}-probe-failing`)
      return decline(
        'invalid-patch',
        `the patch changes the ${type} probe, not the one the root cause is about`,
      );
    const container = containerOf(field);
    const isPath = keyAt(field, 1) === 'path';
    if (!isPath) {
      const at = field.findIndex((s) => s.kind === 'match');
      const ports = declaredPorts(manifest.valuesOf([...field.slice(0, at + 1), key('ports')]));
      const known = typeof value === 'number' ? ports.numbers.includes(value) : ports.names.includes(value);
      if (ports.numbers.length + ports.names.length > 0 && !known)
        return decline(
          'needs-person',
          `container ${container} declares the ports ${[...ports.numbers, ...ports.names].join(', ')}; ${patch.to} is not one of them, so Sleuth will not point the probe there`,
        );
    }
    const ref = `${patch.kind} ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
    const what = isPath ? `path ${patch.to}` : `port ${patch.to}`;
    const extra = analyzerRationale(patch, rootCause.origin);
    return buildProposal(input, {
      fixer: 'probe',
      edits: [{ op: 'set', path: manifest.fieldPath, value }],
      current: manifest.valueOf(field).value,
      same: (v, text) => scalarText(v) === text,
      title: `Point the ${type} probe of ${container} in ${ref} at ${what}`,
      slug: slugOf(type, 'probe', patch.name, container),
      rationale: `The ${type} probe of container ${container} checks ${isPath ? 'path' : 'port'} ${patch.from}, where the container does not answer. Point it at ${what}.${extra ? ` ${extra}` : ''}`,
      risk: `If the application does not answer on ${what} either, the probe keeps failing${type === 'liveness' ? ' and the kubelet keeps restarting the container' : ''}. Changing the pod template restarts the pods (a rolling update).`,
      rollback: revertRollback(`the probe checks ${patch.from} again.`),
      commands: [
        ...rolloutStatus(patch),
        getField(patch, field.slice(0, -2)),
        `kubectl get events${nsFlag(patch)} --field-selector reason=Unhealthy`,
      ],
    });
  },
};
