import type { Evidence, ObjectSnapshot } from '@sleuth/core';
import type { AnalysisContext } from './analyzer';
import { brokenRefs, configRefs, type BrokenRef } from './config-refs';
import type { Finding } from './finding';
import { clip, eventEvidence, fieldEvidence, nsFlag, rec, sibling, text } from './object-fields';
import { waiting, type PodContainer } from './pod-containers';

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
      },
    },
  ];
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
