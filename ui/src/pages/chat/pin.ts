import type { ConversationPin } from '../../lib/api/chat';

/** What `/chat?incident=…` or `/chat?resource=…&cluster=…` asks for: a pinned conversation, or why not. */
export type PinRequest = { pin: ConversationPin; question: string; title: string } | { problem: string };

const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** kubectl's short and lower-case names for the kinds a chat is usually about. */
const KINDS: Record<string, string> = {
  po: 'Pod',
  pod: 'Pod',
  deploy: 'Deployment',
  deployment: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  job: 'Job',
  cj: 'CronJob',
  cronjob: 'CronJob',
  svc: 'Service',
  service: 'Service',
  ing: 'Ingress',
  ingress: 'Ingress',
  hpa: 'HorizontalPodAutoscaler',
  pvc: 'PersistentVolumeClaim',
  no: 'Node',
  node: 'Node',
  ns: 'Namespace',
  namespace: 'Namespace',
};

/**
 * The conversation a chat link asks to start. `resource` is `NAMESPACE/KIND/NAME` or, for
 * cluster-scoped objects, `KIND/NAME`; it needs `cluster`. Undefined when the URL asks for none.
 */
export function pinFromQuery(q: URLSearchParams): PinRequest | undefined {
  const incident = q.get('incident')?.trim();
  if (incident) {
    return {
      pin: { incidentId: incident },
      question: 'What is wrong with this incident?',
      title: `Incident ${incident}`,
    };
  }
  const resource = q.get('resource')?.trim();
  if (!resource) return undefined;
  const cluster = q.get('cluster')?.trim();
  const parts = resource.split('/');
  const [a, b, c] = parts;
  const ref =
    parts.length === 3 && a && b && c
      ? { namespace: a, kind: KINDS[b.toLowerCase()] ?? b, name: c }
      : parts.length === 2 && a && b
        ? { kind: KINDS[a.toLowerCase()] ?? a, name: b }
        : undefined;
  if (!ref || !KIND.test(ref.kind))
    return {
      problem: `resource=${resource} is not NAMESPACE/KIND/NAME or KIND/NAME: no conversation was started.`,
    };
  if (!cluster)
    return { problem: `resource=${resource} needs cluster=NAME too: no conversation was started.` };
  return {
    pin: { resource: { cluster, ...ref } },
    question: `What is wrong with ${resource}?`,
    title: `${cluster}/${resource}`,
  };
}
