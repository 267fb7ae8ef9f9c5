import type { ClusterRuntime } from '../model/runtime';
import type { WorkloadState } from '../model/state';

/**
 * One failure mode: which workloads can take it, and what happens to them when it begins and
 * ends. `begin` and `end` run at exact simulated times inside a tick, before the kubelet and the
 * traffic of that tick, so every signal of the tick already reflects them.
 */
export interface FaultBehavior {
  /** Why `w` cannot take this fault (a sentence naming the workload), or undefined when it can. */
  unsupported(w: WorkloadState): string | undefined;
  /** One sentence saying what the fault does to `w` (in the cluster `rt`). */
  describe(w: WorkloadState, rt: ClusterRuntime): string;
  begin(rt: ClusterRuntime, w: WorkloadState, atMs: number): void;
  end(rt: ClusterRuntime, w: WorkloadState, atMs: number, beganMs: number): void;
}
