import { z } from 'zod';

/**
 * The parts of Kubernetes objects the state rules read, as lenient schemas: every field a rule
 * does not strictly need is optional (and may be null, as the API server serialises unset
 * timestamps), unknown fields are ignored. A field of the wrong type makes the object unreadable,
 * which the detector skips and counts rather than guessing.
 */

const text = z.string().nullish();
const count = z.number().nullish();

/** A status condition (Pod, Node, Deployment, HPA, Job...). Times are RFC 3339 strings. */
export const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: text,
  message: text,
  lastTransitionTime: text,
  lastUpdateTime: text,
});
export type Condition = z.infer<typeof Condition>;

const Conditions = z.array(Condition).nullish();

const Metadata = z.object({
  name: z.string(),
  namespace: text,
  creationTimestamp: text,
  deletionTimestamp: text,
  generation: count,
});

/** A container's terminated state: why, the exit code, when. */
export const Terminated = z.object({
  exitCode: count,
  signal: count,
  reason: text,
  message: text,
  startedAt: text,
  finishedAt: text,
});
export type Terminated = z.infer<typeof Terminated>;

const ContainerState = z.object({
  waiting: z.object({ reason: text, message: text }).nullish(),
  running: z.object({ startedAt: text }).nullish(),
  terminated: Terminated.nullish(),
});

/** One entry of `status.containerStatuses` / `initContainerStatuses`. */
export const ContainerStatus = z.object({
  name: z.string(),
  image: text,
  ready: z.boolean().nullish(),
  started: z.boolean().nullish(),
  restartCount: count,
  state: ContainerState.nullish(),
  lastState: ContainerState.nullish(),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

const ContainerSpec = z.object({
  name: z.string(),
  image: text,
  resources: z
    .object({ limits: z.record(z.string(), z.union([z.string(), z.number()])).nullish() })
    .nullish(),
});

/** The Pod fields the pod rules read. */
export const Pod = z.object({
  metadata: Metadata,
  spec: z
    .object({
      nodeName: text,
      containers: z.array(ContainerSpec).nullish(),
      initContainers: z.array(ContainerSpec).nullish(),
    })
    .nullish(),
  status: z
    .object({
      phase: text,
      reason: text,
      message: text,
      startTime: text,
      conditions: Conditions,
      containerStatuses: z.array(ContainerStatus).nullish(),
      initContainerStatuses: z.array(ContainerStatus).nullish(),
    })
    .nullish(),
});
export type Pod = z.infer<typeof Pod>;

/** The Node fields the node rules read. */
export const Node = z.object({
  metadata: Metadata,
  status: z.object({ conditions: Conditions }).nullish(),
});
export type Node = z.infer<typeof Node>;

/** The Deployment fields the deployment rules read. */
export const Deployment = z.object({
  metadata: Metadata,
  spec: z.object({ replicas: count, paused: z.boolean().nullish() }).nullish(),
  status: z
    .object({
      observedGeneration: count,
      replicas: count,
      updatedReplicas: count,
      readyReplicas: count,
      availableReplicas: count,
      unavailableReplicas: count,
      conditions: Conditions,
    })
    .nullish(),
});
export type Deployment = z.infer<typeof Deployment>;

/** The StatefulSet fields its rule reads. */
export const StatefulSet = z.object({
  metadata: Metadata,
  spec: z.object({ replicas: count }).nullish(),
  status: z
    .object({ replicas: count, readyReplicas: count, availableReplicas: count, updatedReplicas: count })
    .nullish(),
});
export type StatefulSet = z.infer<typeof StatefulSet>;

/** The DaemonSet fields its rule reads. */
export const DaemonSet = z.object({
  metadata: Metadata,
  status: z
    .object({
      desiredNumberScheduled: count,
      numberReady: count,
      numberAvailable: count,
      numberUnavailable: count,
    })
    .nullish(),
});
export type DaemonSet = z.infer<typeof DaemonSet>;

/** The autoscaling/v2 HorizontalPodAutoscaler fields its rule reads. */
export const HorizontalPodAutoscaler = z.object({
  metadata: Metadata,
  spec: z.object({ minReplicas: count, maxReplicas: count }).nullish(),
  status: z.object({ currentReplicas: count, desiredReplicas: count, conditions: Conditions }).nullish(),
});
export type HorizontalPodAutoscaler = z.infer<typeof HorizontalPodAutoscaler>;

/** The Job fields its rule reads. */
export const Job = z.object({
  metadata: Metadata,
  spec: z.object({ backoffLimit: count }).nullish(),
  status: z.object({ active: count, failed: count, succeeded: count, conditions: Conditions }).nullish(),
});
export type Job = z.infer<typeof Job>;

/** The PersistentVolumeClaim fields its rule reads. */
export const PersistentVolumeClaim = z.object({
  metadata: Metadata,
  spec: z.object({ storageClassName: text, volumeName: text }).nullish(),
  status: z.object({ phase: text }).nullish(),
});
export type PersistentVolumeClaim = z.infer<typeof PersistentVolumeClaim>;

/** Thrown by a reader when an object does not have the shape its kind promises; the detector counts it. */
export class UnreadableObject extends Error {
  constructor(kind: string, issue: string) {
    super(`unreadable ${kind}: ${issue}`);
    this.name = 'UnreadableObject';
  }
}

/**
 * A reader for one kind: parses the object once (several rules read the same snapshot, so the
 * result is kept per object identity) or throws UnreadableObject.
 */
export function objectReader<T>(kind: string, schema: z.ZodType<T>): (obj: object) => T {
  const parsed = new WeakMap<object, T>();
  return (obj) => {
    const hit = parsed.get(obj);
    if (hit !== undefined) return hit;
    const r = schema.safeParse(obj);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new UnreadableObject(kind, first ? `${first.path.join('.')}: ${first.message}` : 'invalid');
    }
    parsed.set(obj, r.data);
    return r.data;
  };
}

/** Readers per kind; each throws UnreadableObject for an object of the wrong shape. */
export const readPod = objectReader('Pod', Pod);
export const readNode = objectReader('Node', Node);
export const readDeployment = objectReader('Deployment', Deployment);
export const readStatefulSet = objectReader('StatefulSet', StatefulSet);
export const readDaemonSet = objectReader('DaemonSet', DaemonSet);
export const readHpa = objectReader('HorizontalPodAutoscaler', HorizontalPodAutoscaler);
export const readJob = objectReader('Job', Job);
export const readPvc = objectReader('PersistentVolumeClaim', PersistentVolumeClaim);

/** A Kubernetes timestamp (RFC 3339) as epoch ms; undefined when absent or unparseable. */
export function timeMs(v: string | null | undefined): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The condition of `type`, if the object reports it. */
export function conditionOf(
  conditions: readonly Condition[] | null | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function qualifiedName(md: { name: string; namespace?: string | null | undefined }): string {
  return md.namespace ? `${md.namespace}/${md.name}` : md.name;
}

/** Cuts text for titles and explanations, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
