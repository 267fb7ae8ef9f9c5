import type { Evidence, LogRecord, ManifestPatch, ObjectSnapshot } from '@sleuth/core';
import { fromPrometheus, type AnalysisContext } from './analyzer';
import type { Finding } from './finding';
import {
  clip,
  fieldEvidence,
  list,
  logEvidence,
  mebibytes,
  nsFlag,
  num,
  quantity,
  rec,
  text,
} from './object-fields';
import { podOwner, type PodOwner } from './pod-workload';
import { lastTermination, waiting, type PodContainer } from './pod-containers';

/** Lines of the previous instance's log read for the crash reason. */
const TAIL = 50;
/** Words that mark a log line as the likely reason a process died. */
const FATAL =
  /\b(panic|fatal|exception|error|traceback|segmentation fault|killed|cannot|could not|failed|refused)\b/i;
/**
 * Log phrasings that name a required environment variable that is not set. The name is taken
 * only in the UPPER_SNAKE form env vars are written in, so no other text can pass for one.
 */
const MISSING_ENV: readonly RegExp[] = [
  /\b[Ee]nv(?:ironment)?(?: [Vv]ar(?:iable)?)? ["'`]?([A-Z][A-Z0-9_]*[A-Z0-9])["'`]? (?:is )?(?:not set|unset|missing|not defined|undefined|required)\b/,
  /\b[Mm]issing (?:required )?[Ee]nv(?:ironment)?(?: [Vv]ar(?:iable)?)?:? ["'`]?([A-Z][A-Z0-9_]*[A-Z0-9])\b/,
  /\bYou must specify ([A-Z][A-Z0-9_]*[A-Z0-9]) to a non-empty value\b/,
  /\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]) is not set\b/,
];
/** Memory usage is read for this long before the kill. */
const USAGE_WINDOW_MS = 30 * 60_000;

/**
 * A container restarting over and over: CrashLoopBackOff, or three restarts or more after a
 * non-zero exit. The reason is taken from the previous instance's last log lines (the kubelet's
 * `previous` log). OOM kills are left to `oomKilled`, which says more.
 */
export async function crashLoop(
  pod: ObjectSnapshot,
  c: PodContainer,
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const term = lastTermination(c);
  const restarts = num(c.status['restartCount']) ?? 0;
  const backOff = waiting(c).reason === 'CrashLoopBackOff';
  const exitCode = num(term?.state['exitCode']);
  if (!backOff && !(restarts >= 3 && exitCode !== undefined && exitCode !== 0)) return [];
  if (term?.state['reason'] === 'OOMKilled') return [];

  const tail = await ctx.podLogs({ pod: pod.ref, container: c.name, previous: true, limit: TAIL });
  const culprit = lastFatalLines(tail);
  const missingVar = missingEnvVar(tail, c);
  const patch = missingVar ? missingEnvPatch(pod, c, missingVar, await podOwner(pod, ctx)) : undefined;
  const exit = exitCode === undefined ? '' : ` with exit code ${exitCode}`;
  const termReason = text(term?.state['reason']);
  const reasonText = culprit[0]
    ? `Its previous instance's last log line that reads like the cause: "${clip(culprit[0].body, 300)}".`
    : tail.length > 0
      ? `Its previous instance logged ${tail.length} lines before it stopped, none of them an error; the exit code is the best clue.`
      : 'No log of its previous instance was collected; `kubectl logs --previous` may still show it.';
  const evidence: Evidence[] = [
    fieldEvidence(
      pod,
      `${c.statusField}.restartCount`,
      `${restarts} restarts, ${backOff ? 'waiting in CrashLoopBackOff' : 'restarting'}`,
    ),
    ...(term
      ? [fieldEvidence(pod, term.field, `last exit${exit}${termReason ? ` (${termReason})` : ''}`)]
      : []),
    ...logEvidence(
      culprit.length > 0 ? culprit : tail.slice(0, 5),
      'last lines of the previous container instance',
    ),
  ];
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'crash-loop',
      title: `${c.label} of pod ${pod.ref.name} is crash-looping${exit}`,
      explanation: `The ${c.label} keeps exiting${exit} and Kubernetes keeps restarting it (${restarts} restarts so far). ${reasonText}`,
      evidence,
      confidence: culprit.length > 0 ? 0.9 : 0.7,
      remediation: {
        steps: [
          ...(missingVar
            ? [
                `Its log says the environment variable ${missingVar} is required and the container does not set it: add ${missingVar} to the pod template with its value (valueFrom a Secret if it is sensitive).`,
              ]
            : []),
          "Read the previous instance's log to the end and fix what made the process exit (configuration, a dependency it cannot reach, a bug in the new version).",
          'If a recent rollout introduced it, roll the workload back while you fix it.',
        ],
        commands: [
          `kubectl logs ${pod.ref.name} -c ${c.name} --previous${nsFlag(pod.ref)}`,
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
        ],
        ...(patch ? { patch } : {}),
      },
    },
  ];
}

/**
 * The one environment variable the log says is required and not set, when the container does not
 * define it and reads no envFrom (where it could come from). Undefined when the log names none,
 * or several.
 */
function missingEnvVar(tail: readonly LogRecord[], c: PodContainer): string | undefined {
  const named = new Set<string>();
  for (const l of tail)
    for (const re of MISSING_ENV) {
      const name = re.exec(l.body)?.[1];
      if (name) named.add(name);
    }
  const [name, ...more] = named;
  if (!name || more.length > 0 || list(c.spec['envFrom']).length > 0) return undefined;
  return list(c.spec['env']).some((e) => e['name'] === name) ? undefined : name;
}

/** The env entry to add: `{name, value: ""}`, the value left for a person (`from` is `(unset)`). */
function missingEnvPatch(pod: ObjectSnapshot, c: PodContainer, name: string, owner: PodOwner): ManifestPatch {
  return {
    kind: owner.kind,
    name: owner.name,
    ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
    field: `${owner.podSpecField}.${c.init ? 'initContainers' : 'containers'}[name=${c.name}].env[name=${name}].value`,
    from: '(unset)',
    to: '',
    rationale: `The previous instance's log says the environment variable ${name} is required and not set, and the container does not define it; its value is left for a person to set.`,
  };
}

/** The newest lines that look like an error, newest first (at most three). */
function lastFatalLines(tail: readonly LogRecord[]): LogRecord[] {
  return tail
    .filter((l) => l.severity === 'error' || l.severity === 'fatal' || FATAL.test(l.body))
    .slice(0, 3);
}

/**
 * A container killed for exceeding its memory limit (OOMKilled), against the limit and the
 * working-set usage seen before the kill; proposes a higher limit above the observed peak.
 */
export async function oomKilled(
  pod: ObjectSnapshot,
  c: PodContainer,
  ctx: AnalysisContext,
): Promise<Finding[]> {
  const term = lastTermination(c);
  if (!term || term.state['reason'] !== 'OOMKilled') return [];
  const limitText = text(rec(rec(c.spec['resources'])['limits'])['memory']);
  const limit = quantity(limitText);
  const killedMs = Date.parse(text(term.state['finishedAt']) ?? '');
  const toMs = Number.isFinite(killedMs) ? killedMs + 60_000 : ctx.nowMs;
  const fromMs = toMs - USAGE_WINDOW_MS;
  const series = await ctx.series({
    name: 'container_memory_working_set_bytes',
    cluster: pod.ref.cluster,
    pod: pod.ref.name,
    fromMs,
    toMs,
    ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
  });
  const mine = series.filter((s) => s.labels['container'] === undefined || s.labels['container'] === c.name);
  let peak: number | undefined;
  for (const s of mine) for (const [, v] of s.points) peak = Math.max(peak ?? 0, v);

  const limitPart = limitText
    ? `its memory limit of ${limitText}`
    : 'the memory available to it (no limit is set, so the node ran out)';
  const usagePart =
    peak === undefined
      ? ''
      : ` Its working set peaked at ${mebibytes(peak)}${limit ? ` (${Math.round((peak / limit) * 100)}% of the limit)` : ''} in the 30 minutes before the kill.`;
  const evidence: Evidence[] = [
    fieldEvidence(pod, term.field, `terminated: OOMKilled, exit code ${num(term.state['exitCode']) ?? 137}`),
    ...(limitText
      ? [fieldEvidence(pod, `${c.specField}.resources.limits.memory`, `memory limit ${limitText}`)]
      : []),
    ...mine.slice(0, 1).map((s): Evidence => ({
      signal: { kind: 'series', name: s.name, labels: s.labels, fromMs, toMs },
      summary: `working-set memory, peak ${peak === undefined ? '?' : mebibytes(peak)}${fromPrometheus(s)}`,
    })),
  ];
  const proposed = limit === undefined ? undefined : Math.max(limit * 1.5, (peak ?? 0) * 1.25);
  const owner = await podOwner(pod, ctx);
  const containerField = `${owner.podSpecField}.${c.init ? 'initContainers' : 'containers'}[name=${c.name}]`;
  return [
    {
      analyzer: 'pod',
      resource: pod.ref,
      failureMode: 'oom-killed',
      title: `${c.label} of pod ${pod.ref.name} was OOMKilled${limitText ? ` at its ${limitText} limit` : ''}`,
      explanation: `The kernel killed the ${c.label} because it used more memory than ${limitPart}.${usagePart} Either the limit is too low for the work it does or it leaks memory; a steady climb before each kill points to a leak.`,
      evidence,
      confidence: peak !== undefined && limit !== undefined ? 0.95 : 0.85,
      remediation: {
        steps: [
          proposed === undefined
            ? "Set a memory request and limit sized to the container's observed peak."
            : `Raise the memory limit from ${limitText ?? '?'} to ${mebibytes(proposed)} (and the request with it), then watch whether usage levels off.`,
          'If usage climbs steadily until each kill, look for a leak before adding memory.',
        ],
        commands: [
          `kubectl describe pod ${pod.ref.name}${nsFlag(pod.ref)}`,
          `kubectl top pod ${pod.ref.name} --containers${nsFlag(pod.ref)}`,
        ],
        ...(proposed !== undefined && limitText
          ? {
              patch: {
                kind: owner.kind,
                name: owner.name,
                ...(pod.ref.namespace ? { namespace: pod.ref.namespace } : {}),
                field: `${containerField}.resources.limits.memory`,
                from: limitText,
                to: mebibytes(proposed),
                rationale: `1.5× the current limit or 1.25× the observed peak, whichever is higher.`,
              },
            }
          : {}),
      },
    },
  ];
}
