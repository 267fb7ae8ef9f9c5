import type { ObjectSnapshot } from '@sleuth/core';
import { list, rec, text, type Json } from './object-fields';

/** One container of a pod with its spec, its status and where each lives in the manifest. */
export interface PodContainer {
  name: string;
  init: boolean;
  spec: Json;
  status: Json;
  /** `status.containerStatuses[name=api]` (or initContainerStatuses). */
  statusField: string;
  /** `spec.containers[name=api]` (or initContainers). */
  specField: string;
  /** `container api` / `init container migrate`, for titles. */
  label: string;
}

/** The pod's init containers, then its app containers, each paired with its status. */
export function podContainers(pod: ObjectSnapshot): PodContainer[] {
  const spec = rec(pod.object['spec']);
  const status = rec(pod.object['status']);
  const out: PodContainer[] = [];
  for (const init of [true, false]) {
    const specs = list(spec[init ? 'initContainers' : 'containers']);
    const statuses = list(status[init ? 'initContainerStatuses' : 'containerStatuses']);
    for (const s of specs) {
      const name = text(s['name']);
      if (!name) continue;
      out.push({
        name,
        init,
        spec: s,
        status: statuses.find((st) => st['name'] === name) ?? {},
        statusField: `status.${init ? 'initContainerStatuses' : 'containerStatuses'}[name=${name}]`,
        specField: `spec.${init ? 'initContainers' : 'containers'}[name=${name}]`,
        label: `${init ? 'init container' : 'container'} ${name}`,
      });
    }
  }
  return out;
}

/** The container's waiting reason and message, if it is waiting. */
export function waiting(c: PodContainer): { reason?: string; message?: string } {
  const w = rec(rec(c.status['state'])['waiting']);
  const reason = text(w['reason']);
  const message = text(w['message']);
  return { ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** The last terminated state (previous instance), else the current one if terminated. */
export function lastTermination(c: PodContainer): { state: Json; field: string } | undefined {
  const last = rec(rec(c.status['lastState'])['terminated']);
  if (Object.keys(last).length > 0) return { state: last, field: `${c.statusField}.lastState.terminated` };
  const cur = rec(rec(c.status['state'])['terminated']);
  if (Object.keys(cur).length > 0) return { state: cur, field: `${c.statusField}.state.terminated` };
  return undefined;
}
