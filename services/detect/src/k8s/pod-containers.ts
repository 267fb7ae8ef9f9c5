import {
  clip,
  conditionOf,
  qualifiedName,
  timeMs,
  type ContainerStatus,
  type Pod,
  type Terminated,
} from './kube-shapes';

/** One container of a pod as the pod rules see it. */
export interface ContainerView {
  status: ContainerStatus;
  /** True for an init container. */
  init: boolean;
  /** `status.containerStatuses[name=api]` or `status.initContainerStatuses[name=migrate]`. */
  field: string;
  /** `container api` or `init container migrate`, for titles. */
  label: string;
}

/** The pod's init containers, then its app containers. */
export function containersOf(pod: Pod): ContainerView[] {
  const view = (status: ContainerStatus, init: boolean): ContainerView => ({
    status,
    init,
    field: `status.${init ? 'initContainerStatuses' : 'containerStatuses'}[name=${status.name}]`,
    label: `${init ? 'init container' : 'container'} ${status.name}`,
  });
  return [
    ...(pod.status?.initContainerStatuses ?? []).map((s) => view(s, true)),
    ...(pod.status?.containerStatuses ?? []).map((s) => view(s, false)),
  ];
}

/** `pod shop/api-7f9`. */
export function podLabel(pod: Pod): string {
  return `pod ${qualifiedName(pod.metadata)}`;
}

/** The container's latest termination: the current one if it is terminated, else the previous. */
export function lastTermination(c: ContainerView): { terminated: Terminated; field: string } | undefined {
  const current = c.status.state?.terminated;
  if (current) return { terminated: current, field: `${c.field}.state.terminated` };
  const previous = c.status.lastState?.terminated;
  return previous ? { terminated: previous, field: `${c.field}.lastState.terminated` } : undefined;
}

/** Whether a termination was a failure: a non-zero exit code (or, without one, a reason other than Completed). */
export function isFailure(t: Terminated): boolean {
  if (typeof t.exitCode === 'number') return t.exitCode !== 0;
  return t.reason !== 'Completed';
}

/** `Error, exit code 1, finished 2024-05-01T10:00:00Z: <message>`. */
export function describeTermination(t: Terminated): string {
  const parts = [t.reason ?? 'terminated'];
  if (typeof t.exitCode === 'number') parts.push(`exit code ${t.exitCode}`);
  if (typeof t.signal === 'number' && t.signal !== 0) parts.push(`signal ${t.signal}`);
  if (t.finishedAt) parts.push(`finished ${t.finishedAt}`);
  const message = t.message?.trim();
  return message ? `${parts.join(', ')}: ${clip(message, 300)}` : parts.join(', ');
}

/**
 * Since when the pod's containers have not been ready (ContainersReady, else Ready, condition
 * False: its lastTransitionTime). For a container that never became ready this is stable across
 * restarts, which keeps a crash loop's onset (and so its anomaly id) the same.
 */
export function notReadySinceMs(pod: Pod): number | undefined {
  const conditions = pod.status?.conditions;
  const c = conditionOf(conditions, 'ContainersReady') ?? conditionOf(conditions, 'Ready');
  return c && c.status !== 'True' ? timeMs(c.lastTransitionTime) : undefined;
}

/** The memory limit of a container from the pod spec, e.g. `256Mi`. */
export function memoryLimitOf(pod: Pod, c: ContainerView): string | undefined {
  const specs = c.init ? pod.spec?.initContainers : pod.spec?.containers;
  const limit = specs?.find((s) => s.name === c.status.name)?.resources?.limits?.['memory'];
  return limit === undefined ? undefined : String(limit);
}

/** The image a container runs or tries to pull. */
export function imageOf(pod: Pod, c: ContainerView): string | undefined {
  const specs = c.init ? pod.spec?.initContainers : pod.spec?.containers;
  return specs?.find((s) => s.name === c.status.name)?.image ?? c.status.image ?? undefined;
}
