import type { ContainerRuntime, PodState } from './state';

/** How long a pod stays in (or out of) a Service's endpoints after its readiness changes. */
export const ENDPOINT_LAG_MS = 3000;
const KEEP_MS = 15 * 60_000;

/** Records the running/ready state from `atMs` on, keeping the history in time order. */
export function transition(c: ContainerRuntime, atMs: number, running: boolean, ready: boolean): void {
  let i = c.history.length;
  while (i > 0 && (c.history[i - 1]?.atMs ?? 0) > atMs) i--;
  c.history.splice(i, 0, { atMs, running, ready });
}

function at(c: ContainerRuntime, t: number): { running: boolean; ready: boolean } {
  for (let i = c.history.length - 1; i >= 0; i--) {
    const h = c.history[i];
    if (h && h.atMs <= t) return h;
  }
  return { running: false, ready: false };
}

/** Whether the container's process was running at `t` (it writes logs and answers). */
export function runningAt(c: ContainerRuntime, t: number): boolean {
  return at(c, t).running;
}

/** Whether the container was ready at `t`. */
export function readyAt(c: ContainerRuntime, t: number): boolean {
  return at(c, t).ready;
}

/** Whether the pod was among its Service's endpoints at `t` (readiness, seen with a short lag). */
export function inEndpointsAt(pod: PodState, t: number): boolean {
  if (pod.deletingAtMs !== undefined && t >= pod.deletingAtMs) return false;
  return readyAt(pod.container, t - ENDPOINT_LAG_MS);
}

/** Whether connections to the pod are refused at `t`: nothing listens, or the server refuses. */
export function refusesAt(pod: PodState, t: number): boolean {
  if (!runningAt(pod.container, t)) return true;
  return pod.refusing.some((w) => w.fromMs <= t && t < w.toMs);
}

/** The moment the running instance that was up at `t` stops, if it stops before `until`. */
export function stopsBetween(c: ContainerRuntime, t: number, until: number): number | undefined {
  for (const h of c.history) {
    if (h.atMs > t && h.atMs <= until && !h.running) return h.atMs;
  }
  return undefined;
}

/** Drops history older than a quarter hour, keeping the entry in force at the cut. */
export function pruneHistory(c: ContainerRuntime, nowMs: number): void {
  const cut = nowMs - KEEP_MS;
  let keepFrom = 0;
  for (let i = 0; i < c.history.length; i++) {
    const h = c.history[i];
    if (h && h.atMs <= cut) keepFrom = i;
  }
  if (keepFrom > 0) c.history.splice(0, keepFrom);
}
