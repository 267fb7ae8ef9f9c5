import { z } from 'zod';

/** The failure modes the simulator can inject. */
export const FAULT_KINDS = [
  'oom_killed',
  'crash_loop',
  'image_pull_error',
  'dependency_down',
  'missing_configmap_key',
  'liveness_wrong_port',
  'readiness_failing',
  'unschedulable',
  'bad_rollout',
  'cpu_throttling',
  'node_not_ready',
  'disk_pressure',
  'network_policy_block',
  'pvc_pending',
  'hpa_at_max',
  'healthy_rollout',
  'traffic_surge',
  'log_noise',
  'pod_restart',
] as const;
/** One of {@link FAULT_KINDS}. */
export const FaultKind = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof FaultKind>;

/**
 * The benign kinds: distractors for root-cause scenarios. Each makes noise a naive ranker might
 * blame on its workload (a completed rollout, more traffic, new WARN lines, a replaced pod) while
 * nothing is broken.
 */
export const BENIGN_FAULT_KINDS = [
  'healthy_rollout',
  'traffic_surge',
  'log_noise',
  'pod_restart',
] as const satisfies readonly FaultKind[];

/** The workload a fault hits. */
export const FaultTarget = z
  .object({
    cluster: z.string().min(1).max(253),
    namespace: z.string().min(1).max(253),
    workload: z.string().min(1).max(253),
  })
  .strict();
export type FaultTarget = z.infer<typeof FaultTarget>;

/**
 * Body of `POST /api/v1/simulator/faults`. `durationSeconds` is simulated time (default 300, at
 * most a day); when it has passed the fault ends and the workload recovers.
 */
export const FaultRequest = z
  .object({
    kind: FaultKind,
    target: FaultTarget,
    durationSeconds: z.number().int().positive().max(86_400).default(300),
  })
  .strict();
/** A validated fault request. */
export type FaultRequest = z.infer<typeof FaultRequest>;
/** A fault request as a client sends it (`durationSeconds` optional). */
export type FaultRequestInput = z.input<typeof FaultRequest>;

/** `active` until its end; `ended` when its duration ran out; `cleared` when ended early by request. */
export const FaultStatus = z.enum(['active', 'ended', 'cleared']);
export type FaultStatus = z.infer<typeof FaultStatus>;

/** An injected fault. Times are simulated epoch milliseconds. */
export const FaultRecord = z.object({
  id: z.string(),
  kind: FaultKind,
  target: FaultTarget,
  durationSeconds: z.number(),
  startMs: z.number(),
  endMs: z.number(),
  status: FaultStatus,
  /** What the fault does to the target, in one sentence. */
  description: z.string(),
});
export type FaultRecord = z.infer<typeof FaultRecord>;
