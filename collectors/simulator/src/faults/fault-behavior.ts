import type { ClusterRuntime } from '../model/runtime';
import type { WorkloadState } from '../model/state';

/**
 * One failure mode: which workloads can take it, and what happens to them when it begins and
 * ends. `begin` and `end` run at exact simulated times inside a tick, before the kubelet and the
 * traffic of that tick, so every signal of the tick already reflects them.
 */
export interface FaultBehavior {
  /**
   * A benign kind (a distractor): it makes noise a naive ranker might blame (a rollout, more
   * traffic, new log lines, a replaced pod) but breaks nothing.
   */
  benign?: true;
  /** Why `w` cannot take this fault (a sentence naming the workload), or undefined when it can. */
  unsupported(w: WorkloadState): string | undefined;
  /** One sentence saying what the fault does to `w` (in the cluster `rt`). */
  describe(w: WorkloadState, rt: ClusterRuntime): string;
  begin(rt: ClusterRuntime, w: WorkloadState, atMs: number): void;
  /**
   * Optional: what happens while the fault lasts, for each tick window (fromMs, toMs] after it
   * began (controllers acting on timeouts, such as taint-based eviction).
   */
  during?(
    rt: ClusterRuntime,
    w: WorkloadState,
    window: { fromMs: number; toMs: number },
    beganMs: number,
  ): void;
  end(rt: ClusterRuntime, w: WorkloadState, atMs: number, beganMs: number): void;
}
