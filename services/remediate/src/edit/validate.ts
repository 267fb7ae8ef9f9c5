import { z } from 'zod';
import { isContainerName, isLabelKey, isLabelValue, isPortName } from './k8s-names';
import { isQuantity, parseQuantity } from '@sleuth/core';

/**
 * A minimal structural check of the kinds the fixers edit: the fields they touch and the ones
 * next to them (pod template containers' resources, probes, ports and env; a Service's selector
 * and ports; an HPA's replica bounds), and Kubernetes quantity syntax. It is not the Kubernetes
 * OpenAPI schema: unknown fields pass. `partial` checks a Kustomize strategic-merge patch, which
 * carries only the fields it changes.
 */
export type Validation = { ok: true } | { ok: false; issues: string[] };

const Quantity = z.union([
  z.number().nonnegative(),
  z.string().refine(isQuantity, 'not a Kubernetes quantity (like 500m or 768Mi)'),
]);
const Port = z.number().int().min(1).max(65535);
const PortName = z.string().refine(isPortName, 'not a port name (IANA_SVC_NAME, at most 15 characters)');
const IntOrName = z.union([Port, PortName]);
const Count = z.number().int().nonnegative().optional();

const ResourceList = z.record(z.string(), Quantity);
const Resources = z
  .looseObject({ limits: ResourceList.optional(), requests: ResourceList.optional() })
  .superRefine((r, ctx) => {
    for (const [name, req] of Object.entries(r.requests ?? {})) {
      const lim = r.limits?.[name];
      const a = parseQuantity(req);
      const b = parseQuantity(lim);
      if (a !== undefined && b !== undefined && a > b)
        ctx.addIssue({
          code: 'custom',
          path: ['requests', name],
          message: `the request is above the limit ${String(lim)}`,
        });
    }
  });

const Probe = z.looseObject({
  httpGet: z
    .looseObject({
      path: z.string().startsWith('/').optional(),
      port: IntOrName,
      scheme: z.enum(['HTTP', 'HTTPS']).optional(),
    })
    .optional(),
  tcpSocket: z.looseObject({ port: IntOrName }).optional(),
  grpc: z.looseObject({ port: Port, service: z.string().optional() }).optional(),
  exec: z.looseObject({ command: z.array(z.string()).min(1) }).optional(),
  initialDelaySeconds: Count,
  periodSeconds: Count,
  timeoutSeconds: Count,
  successThreshold: Count,
  failureThreshold: Count,
});

const Container = z.looseObject({
  name: z.string().refine(isContainerName, 'not a container name (a DNS label)'),
  image: z.string().min(1).optional(),
  resources: Resources.optional(),
  ports: z
    .array(
      z.looseObject({
        containerPort: Port,
        name: PortName.optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
      }),
    )
    .optional(),
  env: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        value: z.string().optional(),
        valueFrom: z.looseObject({}).optional(),
      }),
    )
    .optional(),
  livenessProbe: Probe.optional(),
  readinessProbe: Probe.optional(),
  startupProbe: Probe.optional(),
});

const uniqueNames = (cs: { name: string }[] | undefined): boolean =>
  new Set((cs ?? []).map((c) => c.name)).size === (cs ?? []).length;

function podSpec(partial: boolean) {
  return z
    .looseObject({
      containers: partial ? z.array(Container).optional() : z.array(Container).min(1),
      initContainers: z.array(Container).optional(),
    })
    .refine((s) => uniqueNames(s.containers) && uniqueNames(s.initContainers), 'container names repeat');
}

const LabelMap = z
  .record(z.string(), z.string())
  .refine(
    (m) => Object.entries(m).every(([k, v]) => isLabelKey(k) && isLabelValue(v)),
    'not a label map (label keys and values of at most 63 characters)',
  );

function serviceSpec(partial: boolean) {
  const ServicePort = z.looseObject({
    port: partial ? Port.optional() : Port,
    targetPort: IntOrName.optional(),
    nodePort: Port.optional(),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  });
  return z.looseObject({ selector: LabelMap.optional(), ports: z.array(ServicePort).optional() });
}

function hpaSpec(partial: boolean) {
  const Replicas = z.number().int().min(1);
  return z
    .looseObject({
      scaleTargetRef: partial
        ? z.looseObject({}).optional()
        : z.looseObject({ kind: z.string().min(1), name: z.string().min(1) }),
      minReplicas: Replicas.optional(),
      maxReplicas: partial ? Replicas.optional() : Replicas,
    })
    .refine(
      (s) => s.minReplicas === undefined || s.maxReplicas === undefined || s.minReplicas <= s.maxReplicas,
      {
        message: 'minReplicas is above maxReplicas',
        path: ['minReplicas'],
      },
    );
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_AT: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

function nest(keys: readonly string[], inner: z.ZodType, partial: boolean): z.ZodType {
  let schema = inner;
  for (const k of [...keys].reverse()) schema = z.looseObject({ [k]: partial ? schema.optional() : schema });
  return schema;
}

function schemaFor(kind: string, partial: boolean): z.ZodType {
  const podAt = POD_SPEC_AT[kind];
  if (podAt) return nest(podAt, podSpec(partial), partial);
  if (kind === 'Service') return z.looseObject({ spec: serviceSpec(partial) });
  if (kind === 'HorizontalPodAutoscaler') return z.looseObject({ spec: hpaSpec(partial) });
  return z.looseObject({});
}

const Header = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1) }),
});

/** Checks one object (a manifest, or with `partial` a strategic-merge patch of it). */
export function validateManifest(obj: unknown, opts: { partial?: boolean } = {}): Validation {
  const partial = opts.partial ?? false;
  const header = (partial ? Header.partial() : Header).safeParse(obj);
  if (!header.success) return { ok: false, issues: header.error.issues.map(issueText) };
  const kind = header.data.kind ?? '';
  const body = schemaFor(kind, partial).safeParse(obj);
  return body.success ? { ok: true } : { ok: false, issues: body.error.issues.map(issueText) };
}

function issueText(i: z.core.$ZodIssue): string {
  return `${i.path.map(String).join('.') || '(object)'}: ${i.message}`;
}
