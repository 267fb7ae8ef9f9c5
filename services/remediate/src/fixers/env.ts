import type { ManifestPatch } from '@sleuth/core';
import { decline, type Decline } from '../decline';
import { formatFieldPath, key, scalarText, type PathSegment } from '../field-path';
import type { Fixer, FixerInput, RemediationProposal } from './fixer';
import { containerOf, getField, nsFlag, objectArg, rolloutStatus } from './kubectl';
import { analyzerRationale, checkTarget } from './patch-values';
import { buildProposal, revertRollback, slugOf } from './proposal';
import { WORKLOAD_KINDS } from './resource-limit';

/** `…containers[name=C].env[name=X].value`: an env var the container does not define yet. */
const ADD_VAR = /(^|\.)(containers|initContainers)\[name=[^\]]+\]\.env\[name=[^\]]+\]\.value$/;
/** `…env[name=X].valueFrom.configMapKeyRef.key` (or secretKeyRef): the key an env var reads. */
const KEY_REF =
  /(^|\.)(containers|initContainers)\[name=[^\]]+\]\.env\[name=[^\]]+\]\.valueFrom\.(configMapKeyRef|secretKeyRef)\.key$/;
/** The `from` of a patch that adds an env var. */
export const UNSET = '(unset)';

/** A POSIX-style environment variable name: what a crash log can name and a shell can read. */
export function isEnvVarName(v: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(v);
}

/** A ConfigMap/Secret data key (`[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`). */
function isDataKey(v: string): boolean {
  return v.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(v) && v !== '.' && v !== '..';
}

/** The env var a `…env[name=X]…` path names. */
function varOf(field: readonly PathSegment[]): string {
  const env = field.findIndex((x) => x.kind === 'key' && x.key === 'env');
  const m = env === -1 ? undefined : field[env + 1];
  return m?.kind === 'match' && m.key === 'name' ? m.value : '';
}

function ref(patch: ManifestPatch): string {
  return `${patch.kind} ${patch.namespace ? `${patch.namespace}/` : ''}${patch.name}`;
}

/** The comment on the added line: the value is a person's to set. */
export function todoComment(name: string): string {
  return `TODO(sleuth): set ${name}; the crash log says it is required`;
}

/**
 * Adds `{name: X, value: ""}` to the container's env, with a TODO comment: Sleuth never invents a
 * value, so the pull request is a draft a person completes. Declines when the manifest already
 * defines X (the repo and the cluster disagree) or the container reads env from envFrom (X may be
 * meant to come from there, and an empty entry would override it).
 */
function addVar(input: FixerInput): RemediationProposal | Decline {
  const { patch, field, manifest } = input;
  const name = varOf(field);
  const envAt = field.findIndex((s) => s.kind === 'key' && s.key === 'env');
  const containerPath = field.slice(0, envAt);
  const container = containerOf(field);
  if (!manifest.valueOf(containerPath).found)
    return decline(
      'drift',
      `the manifest has no container ${container}; reconcile the repo and the cluster first`,
    );
  if (manifest.valueOf(field.slice(0, -1)).found)
    return decline(
      'drift',
      `the manifest defines ${name} for container ${container}, the live object does not: the repo and the cluster have drifted; reconcile them before Sleuth proposes a change`,
    );
  if (manifest.valueOf([...containerPath, key('envFrom')]).found)
    return decline(
      'needs-person',
      `container ${container} reads environment variables from envFrom, where ${name} may belong; an empty entry would override it, so a person should add it`,
    );
  const listPath = manifest.fieldPath.slice(0, manifest.fieldPath.length - 2);
  const extra = analyzerRationale(patch, input.rootCause.origin);
  return buildProposal(input, {
    fixer: 'env',
    edits: [{ op: 'append', path: listPath, item: { name, value: '' }, comment: todoComment(name) }],
    current: undefined,
    same: (v, text) => (text === UNSET ? v === undefined : v === text),
    title: `Add the environment variable ${name} to ${container} in ${ref(patch)} (value left for a person)`,
    slug: slugOf('env', patch.name, name),
    rationale: `Container ${container} exits because the environment variable ${name} is not set, and its pod template does not define it. This adds ${name} with an empty value and a TODO comment: Sleuth does not know the value, so a person must set it (a literal, or valueFrom a ConfigMap or Secret) before this is merged.${extra ? ` ${extra}` : ''}`,
    risk: `Merged as it is, the container starts with ${name} set to an empty string: an application that only checks ${name} exists starts with a wrong setting, one that checks its value keeps crashing. Changing the pod template restarts the pods (a rolling update).`,
    rollback: revertRollback(`the container runs without ${name} again.`),
    commands: [
      ...rolloutStatus(patch),
      getField(patch, [...containerPath, key('env')]),
      `kubectl logs ${objectArg(patch)} -c ${container}${nsFlag(patch)} --tail=50`,
    ],
  });
}

/** Points an env var's configMapKeyRef/secretKeyRef at the key the analyzer knows holds it. */
function keyRef(input: FixerInput): RemediationProposal | Decline {
  const { patch, field, manifest } = input;
  const name = varOf(field);
  const source = field[field.length - 2];
  const kind = source?.kind === 'key' && source.key === 'secretKeyRef' ? 'Secret' : 'ConfigMap';
  const object = scalarText(manifest.valueOf([...field.slice(0, -1), key('name')]).value) ?? '?';
  const container = containerOf(field);
  const extra = analyzerRationale(patch, input.rootCause.origin);
  return buildProposal(input, {
    fixer: 'env',
    edits: [{ op: 'set', path: manifest.fieldPath, value: patch.to }],
    current: manifest.valueOf(field).value,
    same: (v, text) => scalarText(v) === text,
    title: `Read ${name} of ${container} in ${ref(patch)} from key ${patch.to} of ${kind} ${object}`,
    slug: slugOf('env', patch.name, name, 'key'),
    rationale: `Container ${container} reads ${name} from key ${patch.from} of ${kind} ${object}, which has no such key, so the kubelet cannot create the container. Read key ${patch.to} instead.${extra ? ` ${extra}` : ''}`,
    risk: `${name} takes the value of key ${patch.to}; if the application expects something else there, it starts with a wrong setting. Changing the pod template restarts the pods (a rolling update).`,
    rollback: revertRollback(`the container reads key ${patch.from} again (and cannot be created).`),
    commands: [...rolloutStatus(patch), getField(patch, field), `kubectl get pods${nsFlag(patch)}`],
  });
}

/**
 * Missing configuration: a crash-looping container whose log names an environment variable it
 * needs (the env entry is added with an empty value for a person to fill), or an env var reading
 * a ConfigMap/Secret key that does not exist, when the analyzer knows the key it should read.
 */
export const envFixer: Fixer = {
  id: 'env',
  failureModes: ['crash-loop', 'container-config-error'],
  accepts(patch, field) {
    const bad = checkTarget(patch, WORKLOAD_KINDS, 'env');
    if (bad) return bad;
    const f = formatFieldPath(field);
    if (ADD_VAR.test(f)) {
      if (!isEnvVarName(varOf(field)))
        return decline('invalid-patch', 'the patch names an environment variable that is not a valid name');
      return patch.from === UNSET && patch.to === ''
        ? undefined
        : decline(
            'invalid-patch',
            `an added environment variable goes from ${UNSET} to an empty value for a person to fill; Sleuth never writes a value`,
          );
    }
    if (KEY_REF.test(f))
      return isDataKey(patch.to) && isDataKey(patch.from)
        ? undefined
        : decline(
            'invalid-patch',
            'the proposed key is not a ConfigMap or Secret key name; nothing was changed',
          );
    return decline(
      'invalid-patch',
      `the env fixer adds …env[name=X].value or changes …env[name=X].valueFrom.*KeyRef.key, not ${f}`,
    );
  },
  propose(input) {
    const bad = envFixer.accepts(input.patch, input.field);
    if (bad) return bad;
    const f = formatFieldPath(input.field);
    const mode = input.rootCause.failureMode;
    if (ADD_VAR.test(f) && mode === 'crash-loop') return addVar(input);
    if (KEY_REF.test(f) && mode === 'container-config-error') return keyRef(input);
    return decline('invalid-patch', `the patch's field ${f} does not fit the failure mode ${mode}`);
  },
};
