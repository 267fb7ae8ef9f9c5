import type { Evidence, ManifestPatch, ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import { brokenRefs, configRefs, keyNames, type BrokenRef } from './config-refs';
import type { Finding } from './finding';
import {
  at,
  clip,
  eventEvidence,
  fieldEvidence,
  list,
  num,
  nsFlag,
  rec,
  sibling,
  text,
} from './object-fields';
import { waiting, type PodContainer } from './pod-containers';
import { imageRepository, imageRollbackPatch, podRevision } from './workload-revision';

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** What a registry's refusal means, from the words of its message. */
const PULL_CAUSES: { test: RegExp; cause: string; step: string }[] = [
  {
    test: /not found|manifest unknown|does not exist|no such image/i,
    cause: 'the image or tag does not exist in the registry',
    step: 'Check the image name and tag for a typo, or push the missing tag.',
  },
  {
    test: /unauthorized|authentication required|denied|forbidden|\b40[13]\b/i,
    cause: 'the registry refused the credentials (or none were sent)',
    step: "Check the pod's imagePullSecrets name a Secret with valid credentials for this registry.",
  },
  {
    test: /toomanyrequests|rate limit/i,
    cause: 'the registry is rate-limiting pulls',
    step: 'Authenticate pulls or mirror the image to a registry you control.',
  },
  {
    test: /timeout|no such host|connection refused|i\/o timeout|dial tcp/i,
    cause: 'the node cannot reach the registry',
    step: 'Check DNS and egress from the node to the registry.',
  },
  {
    test: /invalid reference format|InvalidImageName/i,
    cause: 'the image reference is not a valid name',
    step: 'Fix the image reference (registry/repository:tag) in the pod template.',
  },
];

/** A container that cannot start because its image cannot be pulled, with the registry's words. */
export async function imagePull(
  pod: ObjectSnapshot,
  c: PodContainer,
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const w = waiting(c);
  if (!w.reason || !PULL_REASONS.has(w.reason)) return [];
  const image = text(c.spec['image']) ?? '?';
  const events = (await ctx.events(pod.ref, ctx.nowMs - 3_600_000)).filter(
    (e) =>
      e.type === 'Warning' &&
      (e.reason === 'Failed' || e.reason === 'ErrImagePull') &&
      e.message.includes(image),
  );
  const registryMessage = events[0]?.message ?? w.message ?? w.reason;
  const cause =
    PULL_CAUSES.find((p) => p.test.test(registryMessage)) ??
    PULL_CAUSES.find((p) => p.test.test(w.reason ?? ''));
  const evidence: Evidence[] = [
    fieldEvidence(
      pod,
      `${c.statusField}.state.waiting`,
      `waiting: ${w.reason}${w.message ? `: ${clip(w.message, 300)}` : ''}`,
    ),
    fieldEvidence(pod, `${c.specField}.image`, `image ${image}`),
    ...eventEvidence(events, `kubelet: ${clip(registryMessage, 300)}`),
  ];
  const rollback = await pullRollback(pod, c, image, ctx);
  if (rollback) evidence.push(rollback.evidence);
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'image-pull-error',
      title: `${c.label} of pod ${pod.ref.name} cannot pull image ${clip(image, 200)}`,
      explanation: `The kubelet cannot pull ${image} (${w.reason})${cause ? `: ${cause.cause}` : ''}. The registry said: "${clip(registryMessage, 600)}".`,
      evidence,
      confidence: cause ? 0.9 : 0.75,
      remediation: {
        steps: [
          cause?.step ?? "Read the registry's message and fix the image reference or the pull credentials.",
        ],
        commands: [
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
          `kubectl get events --field-selector involvedObject.name=${pod.ref.name}${nsFlag(pod.ref)}`,
        ],
        ...(rollback ? { patch: rollback.patch } : {}),
      },
    },
  ];
}

/**
 * Putting back the image the Deployment's previous revision ran, when that is a safe bet: the
 * pod belongs to the newest ReplicaSet, whose rollout changed this container's image to another
 * tag (or digest) of the same repository, and the previous ReplicaSet still has available
 * replicas (its image was pulled and ran). Anything else (a pod of an older revision, a new
 * repository, a previous version that never ran) is left to a person.
 */
async function pullRollback(
  pod: ObjectSnapshot,
  c: PodContainer,
  image: string,
  ctx: AnalysisContext,
): Promise<{ patch: ManifestPatch; evidence: Evidence } | undefined> {
  const revision = await podRevision(pod, ctx);
  if (!revision) return undefined;
  const { deployment, change } = revision;
  const swap = change.changes.find((ch) => ch.container === c.name && ch.what === 'image');
  const previous = change.previousReplicaSet;
  if (!swap || !previous || swap.to !== image || swap.from === swap.to) return undefined;
  if (imageRepository(swap.from) !== imageRepository(swap.to)) return undefined;
  const available = num(at(previous.object, 'status.availableReplicas')) ?? 0;
  if (available < 1) return undefined;
  const patch = imageRollbackPatch(
    deployment,
    { ...change, changes: [swap] },
    (from) =>
      `The previous revision ran ${from} with ${available} available replica${available === 1 ? '' : 's'}; the new tag cannot be pulled.`,
  );
  return patch
    ? {
        patch,
        evidence: fieldEvidence(
          previous,
          'status.availableReplicas',
          `ReplicaSet ${previous.ref.name} (revision ${change.previousRevision ?? '?'}) runs ${swap.from} with ${available} available`,
        ),
      }
    : undefined;
}

/** `configmap "x" not found`, `secret "x" not found`, `couldn't find key K in ConfigMap ns/x`. */
const MISSING_OBJECT = /(configmap|secret) "([^"]+)" not found/i;
const MISSING_KEY = /couldn't find key (\S+) in (ConfigMap|Secret) (?:[^/\s]+\/)?(\S+)/i;

/**
 * A container stuck in CreateContainerConfigError, naming the missing ConfigMap/Secret or key
 * (from the kubelet's message, confirmed against the collected objects and the pod spec).
 */
export async function containerConfigError(
  pod: ObjectSnapshot,
  c: PodContainer,
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const w = waiting(c);
  if (w.reason !== 'CreateContainerConfigError') return [];
  const refs = configRefs(rec(pod.object['spec'])).filter(
    (r) => r.container === c.name || r.container === undefined,
  );
  const broken = await brokenRefs(refs, (kind, name) => ctx.object(sibling(pod.ref, kind, name)));
  const message = w.message ?? '';
  const fromMessage = parseMessage(message);
  const culprit =
    broken.find((b) => fromMessage && b.ref.name === fromMessage.name && b.ref.kind === fromMessage.kind) ??
    broken[0];
  const what = culprit
    ? describe(culprit)
    : fromMessage
      ? `${fromMessage.kind} ${fromMessage.name}${fromMessage.key ? ` key ${fromMessage.key}` : ''}`
      : undefined;
  const evidence: Evidence[] = [
    fieldEvidence(
      pod,
      `${c.statusField}.state.waiting`,
      `waiting: CreateContainerConfigError${message ? `: ${clip(message, 300)}` : ''}`,
    ),
    ...(culprit ? [fieldEvidence(pod, culprit.ref.field, `reads ${describe(culprit)}`)] : []),
  ];
  const kind = culprit?.ref.kind ?? fromMessage?.kind ?? 'ConfigMap';
  const name = culprit?.ref.name ?? fromMessage?.name;
  const keyFix = culprit ? await previousKey(pod, c, culprit, ctx) : undefined;
  if (keyFix) evidence.push(keyFix.evidence);
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'container-config-error',
      title: `${c.label} of pod ${pod.ref.name} cannot start: ${what ?? 'its configuration is invalid'}`,
      explanation: what
        ? `Kubernetes cannot build the ${c.label}'s environment because the pod spec reads ${what}, and that ${culprit?.problem === 'missing-key' || fromMessage?.key ? 'key does not exist in it' : `${kind} does not exist in namespace ${pod.ref.namespace ?? '?'}`}. The container will not start until it exists (or the reference is marked optional).`
        : `Kubernetes cannot build the ${c.label}'s configuration: "${clip(message, 500)}".`,
      evidence,
      confidence: culprit ? 0.95 : 0.7,
      remediation: {
        steps: [
          name
            ? `Create the ${kind} ${name} in namespace ${pod.ref.namespace ?? '?'}${culprit?.ref.key ? ` with key ${culprit.ref.key}` : ''}, or fix the name in the pod template.`
            : 'Fix the configuration the kubelet names in its message.',
        ],
        commands: [
          ...(name ? [`kubectl get ${kind.toLowerCase()} ${name}${nsFlag(pod.ref)}`] : []),
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
        ],
        ...(keyFix ? { patch: keyFix.patch } : {}),
      },
    },
  ];
}

function parseMessage(
  message: string,
): { kind: 'ConfigMap' | 'Secret'; name: string; key?: string } | undefined {
  const key = MISSING_KEY.exec(message);
  if (key?.[1] && key[2] && key[3])
    return { kind: key[2].toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: key[3], key: key[1] };
  const obj = MISSING_OBJECT.exec(message);
  if (obj?.[1] && obj[2])
    return { kind: obj[1].toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: obj[2] };
  return undefined;
}

function describe(b: BrokenRef): string {
  return b.problem === 'missing-key'
    ? `key ${b.ref.key ?? '?'} of ${b.ref.kind} ${b.ref.name}`
    : `${b.ref.kind} ${b.ref.name}`;
}

/**
 * The key an env var should read when the newest revision points it at a key that does not exist:
 * the key the previous revision's same env var read from the same ConfigMap/Secret, when that
 * key exists there now. Undefined otherwise: Sleuth never guesses a key.
 */
async function previousKey(
  pod: ObjectSnapshot,
  c: PodContainer,
  broken: BrokenRef,
  ctx: AnalysisContext,
): Promise<{ patch: ManifestPatch; evidence: Evidence } | undefined> {
  const env = /\.env\[name=([^\]]+)\]$/.exec(broken.ref.field)?.[1];
  if (broken.problem !== 'missing-key' || broken.ref.container !== c.name || !env || !broken.ref.key)
    return undefined;
  const revision = await podRevision(pod, ctx);
  const previous = revision?.change.previousReplicaSet;
  if (!revision || !previous) return undefined;
  const refKey = broken.ref.kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
  const group = c.init ? 'initContainers' : 'containers';
  const before = list(at(previous.object, `spec.template.spec.${group}`)).find((x) => x['name'] === c.name);
  const was = list(before?.['env']).find((e) => e['name'] === env);
  const source = rec(rec(was?.['valueFrom'])[refKey]);
  const key = text(source['key']);
  if (!key || key === broken.ref.key || text(source['name']) !== broken.ref.name) return undefined;
  const object = await ctx.object(sibling(pod.ref, broken.ref.kind, broken.ref.name));
  if (!object || !keyNames(object).has(key)) return undefined;
  const { deployment } = revision;
  return {
    patch: {
      kind: 'Deployment',
      name: deployment.ref.name,
      ...(deployment.ref.namespace ? { namespace: deployment.ref.namespace } : {}),
      field: `spec.template.spec.${group}[name=${c.name}].env[name=${env}].valueFrom.${refKey}.key`,
      from: broken.ref.key,
      to: key,
      rationale: `The previous revision read ${env} from key ${key} of ${broken.ref.kind} ${broken.ref.name}, which has that key.`,
    },
    evidence: fieldEvidence(
      previous,
      `spec.template.spec.${group}[name=${c.name}].env[name=${env}]`,
      `ReplicaSet ${previous.ref.name} read ${env} from key ${key}`,
    ),
  };
}
