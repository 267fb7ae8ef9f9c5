import {
  NotFoundError,
  ValidationError,
  newId,
  refKey,
  type ChatMessage,
  type CitedEvidence,
  type Conversation,
  type ConversationPin,
  type Incident,
  type RcaAnswer,
  type RootCause,
} from '@sleuth/core';
import {
  rulesAnswer,
  type EvidenceRegistry,
  type InvestigationEvents,
  type Investigator,
  type PriorTurn,
  type StoreContextOptions,
  type TopologySource,
} from '@sleuth/analyze';
import type { Store } from '@sleuth/store';
import { diagnoseResource } from '../resource-diagnosis';
import { formatResourceArg } from '../resource-arg';
import { subjectOf, type ChatSubject, type KnownNames } from './subject';

export interface ChatServiceDeps {
  store: Store;
  topology: TopologySource;
  investigator: Investigator;
  /**
   * Only conversations this owner started exist for this service (chat as a scoped principal:
   * another's conversation may cite what its scope does not cover).
   */
  owner?: string;
  /** How the rule engine's analyzers read beyond the store (a configured Prometheus). */
  analysis?: StoreContextOptions;
  /** The time questions are asked at (the simulator's clock in tests). */
  clock?: () => number;
}

const HISTORY_MESSAGES = 20;
const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const MAX_SCOPE_INCIDENTS = 8;
const KNOWN_NAMES_TTL_MS = 30_000;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** What the deterministic engine says about a question's subject. */
interface Grounding {
  causes: RootCause[];
  subject: string;
  incident?: Incident | undefined;
  /** An answer that is not just the ranked causes (a scope, a name not found). */
  rules?: (evidence: EvidenceRegistry) => RcaAnswer;
  context?: string;
  /** Names the question is about (for anonymise mode). */
  names: string[];
}

/** Conversations read to find a scoped owner's own (newest first). */
const OWNER_SCAN = 500;

/**
 * Chat-style diagnosis: conversations stored with their messages, each question answered by the
 * LLM investigator when one is configured, else (or when it fails) by the deterministic engine,
 * labelled `rules`. Either way the question is first grounded without an LLM: a named resource is
 * diagnosed as `sleuth diagnose` does and joined with the open incidents it is part of, an incident
 * id brings that incident's ranked causes, a namespace or cluster its open incidents.
 */
export class ChatService {
  private readonly clock: () => number;
  private known: { atMs: number; names: KnownNames } | undefined;

  constructor(private readonly deps: ChatServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  private analysisDeps(): { analysis?: StoreContextOptions } {
    return this.deps.analysis ? { analysis: this.deps.analysis } : {};
  }

  async createConversation(
    input: { title?: string | undefined; pin?: ConversationPin | undefined },
    owner?: string,
  ): Promise<Conversation> {
    const pin = input.pin ?? {};
    if (pin.incidentId && !(await this.deps.store.getIncident(pin.incidentId)))
      throw new NotFoundError(`no incident ${pin.incidentId}`);
    const now = this.clock();
    const c: Conversation = {
      id: newId('cnv', now),
      title: input.title ?? '',
      pin,
      ...((owner ?? this.deps.owner) ? { owner: owner ?? this.deps.owner } : {}),
      createdMs: now,
      updatedMs: now,
    };
    await this.deps.store.putConversation(c);
    return c;
  }

  async list(query: { incidentId?: string; limit: number }): Promise<Conversation[]> {
    const owner = this.deps.owner;
    if (owner === undefined) return this.deps.store.listConversations(query);
    // The store does not index owners: read a wider page and keep this owner's.
    const page = await this.deps.store.listConversations({ ...query, limit: OWNER_SCAN });
    return page.filter((c) => c.owner === owner).slice(0, query.limit);
  }

  async conversation(id: string): Promise<{ conversation: Conversation; messages: ChatMessage[] }> {
    const found = await this.deps.store.getConversation(id);
    const conversation =
      found && (this.deps.owner === undefined || found.owner === this.deps.owner) ? found : undefined;
    if (!conversation) throw new NotFoundError(`no conversation ${id}`);
    return { conversation, messages: await this.deps.store.listMessages(id, { limit: 200 }) };
  }

  /**
   * Stores the question, answers it (streaming through `events`), stores the answer. Rejects with
   * NotFoundError for an unknown conversation; the LLM failing never rejects (the answer is then
   * the deterministic engine's, with the reason).
   */
  async ask(
    conversationId: string,
    text: string,
    events: InvestigationEvents & { onQuestion?: (m: ChatMessage) => void } = {},
    signal?: AbortSignal,
  ): Promise<{ question: ChatMessage; answer: ChatMessage }> {
    const question = text.trim();
    if (question === '') throw new ValidationError('the question is empty');
    const { conversation, messages } = await this.conversation(conversationId);
    const nowMs = this.clock();
    const asked: ChatMessage = {
      id: newId('msg', nowMs),
      conversationId,
      role: 'user',
      text: question,
      createdMs: nowMs,
    };
    await this.deps.store.appendMessage(asked);
    if (conversation.title === '')
      await this.deps.store.putConversation({
        ...conversation,
        title: question.slice(0, 120),
        updatedMs: nowMs,
      });
    events.onQuestion?.(asked);

    const history = messages.slice(-HISTORY_MESSAGES);
    const known = await this.knownNames();
    const subject = subjectOf(question, conversation.pin, known);
    const g = await this.ground(subject, nowMs);
    const record = await this.deps.investigator.investigate(
      {
        mode: 'chat',
        question,
        causes: g.causes,
        subject: g.subject,
        incident: g.incident,
        context: [pinText(conversation.pin), g.context].filter((s) => s).join('\n'),
        history: history.map((m): PriorTurn => ({
          role: m.role,
          text: m.role === 'user' ? m.text : answerTurn(m),
        })),
        priorEvidence: history.flatMap((m): CitedEvidence[] => m.answer?.answer.evidence ?? []),
        // In anonymise mode these are masked from the first message on.
        names: [...known.clusters, ...known.namespaces, ...g.names],
        nowMs,
        ...(g.rules ? { rules: g.rules } : {}),
        ...(conversation.pin.resource ? { defaultCluster: conversation.pin.resource.cluster } : {}),
      },
      events,
      signal,
    );
    const answerMs = Math.max(this.clock(), nowMs + 1);
    const answer: ChatMessage = {
      id: newId('msg', answerMs),
      conversationId,
      role: 'assistant',
      text: record.answer.summary,
      answer: record,
      createdMs: answerMs,
    };
    await this.deps.store.appendMessage(answer);
    return { question: asked, answer };
  }

  /** The deterministic engine's view of what is asked about. */
  private async ground(subject: ChatSubject, nowMs: number): Promise<Grounding> {
    const { store, topology } = this.deps;
    switch (subject.kind) {
      case 'incident': {
        const incident = await store.getIncident(subject.id);
        if (!incident) return notFound(`incident ${subject.id}`, []);
        return {
          causes: incident.rootCauses,
          subject: `incident "${incident.title}"`,
          incident,
          names: incident.resources.flatMap((r) => [r.name, ...(r.namespace ? [r.namespace] : [])]),
        };
      }
      case 'resource': {
        let d = await diagnoseResource(
          { store, topology, ...this.analysisDeps() },
          subject.arg,
          subject.cluster,
          nowMs,
        );
        const what = `${formatResourceArg(subject.arg)}${subject.cluster ? ` in ${subject.cluster}` : ''}`;
        let kindNote = '';
        if ('notFound' in d) {
          // People say "deployment" of whatever runs their service: one object of that name in
          // that namespace (a StatefulSet, say) is what they meant.
          const arg = subject.arg;
          const same = d.closeMatches.filter(
            (r) => r.name === arg.name && (arg.namespace === undefined || r.namespace === arg.namespace),
          );
          // A Service usually shares its workload's name: the workload is what runs.
          const workloads = same.filter((r) => WORKLOAD_KINDS.has(r.kind));
          const only = same.length === 1 ? same[0] : workloads.length === 1 ? workloads[0] : undefined;
          if (only) {
            kindNote = ` (asked as ${arg.kind}; it is a ${only.kind})`;
            d = await diagnoseResource(
              { store, topology, ...this.analysisDeps() },
              { ...(only.namespace ? { namespace: only.namespace } : {}), kind: only.kind, name: only.name },
              only.cluster,
              nowMs,
            );
          }
        }
        if ('notFound' in d) return notFound(what, d.closeMatches.map(refKey), d.notFound);
        // An open incident around the resource ranks causes with the topology and timing the
        // resource alone does not show (a failing dependency, a node, a NetworkPolicy): its causes
        // come first, then the resource's own findings it does not already hold.
        const analyzed = new Set(d.analyzed.map(refKey));
        const incidents: Incident[] = [];
        for (const o of d.openIncidents) {
          const inc = await store.getIncident(o.id);
          if (inc) incidents.push(inc);
        }
        const incident = incidents
          .filter((i) => i.resources.some((r) => analyzed.has(refKey(r))))
          .sort(
            (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.updatedMs - a.updatedMs,
          )[0];
        const seen = new Set<string>();
        const causes: RootCause[] = [];
        for (const c of [...(incident?.rootCauses ?? []), ...d.rootCauses]) {
          const key = `${c.failureMode} ${refKey(c.resource)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          causes.push({ ...c, rank: causes.length + 1 });
        }
        return {
          causes,
          subject: `${d.resource.kind} ${d.resource.namespace ? `${d.resource.namespace}/` : ''}${d.resource.name}`,
          incident,
          context: `The question is about ${refKey(d.resource)}${kindNote}.`,
          names: [subject.arg.name, ...d.analyzed.map((r) => r.name)],
        };
      }
      case 'scope':
      case 'none': {
        const where: { cluster?: string | undefined; namespace?: string | undefined } =
          subject.kind === 'scope' ? subject : {};
        const open = await store.listIncidents({
          status: 'open',
          ...(where.cluster ? { cluster: where.cluster } : {}),
          ...(where.namespace ? { namespace: where.namespace } : {}),
          limit: 200,
        });
        const ranked = open
          .sort(
            (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.updatedMs - a.updatedMs,
          )
          .slice(0, MAX_SCOPE_INCIDENTS);
        const scope =
          [where.cluster && `cluster ${where.cluster}`, where.namespace && `namespace ${where.namespace}`]
            .filter((s) => s)
            .join(', ') || 'the fleet';
        const causes = ranked
          .map((i) => i.rootCauses[0])
          .filter((c) => c !== undefined)
          .map((c, i) => ({ ...c, rank: i + 1 }));
        return {
          causes,
          subject: scope,
          context: `The question is about ${scope}.`,
          rules: (evidence) => scopeAnswer(scope, ranked, open.length, evidence),
          names: ranked.flatMap((i) => i.resources.map((r) => r.name)),
        };
      }
    }
  }

  private async knownNames(): Promise<KnownNames> {
    const now = Date.now();
    if (this.known && now - this.known.atMs < KNOWN_NAMES_TTL_MS) return this.known.names;
    const namespaces = await this.deps.store.listObjects({ kind: 'Namespace', limit: 5000 });
    const clusters = new Set(namespaces.map((n) => n.ref.cluster));
    for (const i of await this.deps.store.listIncidents({ limit: 200 }))
      for (const r of i.resources) clusters.add(r.cluster);
    const names = { clusters: [...clusters], namespaces: [...new Set(namespaces.map((n) => n.ref.name))] };
    this.known = { atMs: now, names };
    return names;
  }
}

function pinText(pin: ConversationPin): string {
  const parts = [
    pin.incidentId ? `incident ${pin.incidentId}` : '',
    pin.resource ? `resource ${refKey(pin.resource)}` : '',
  ].filter((s) => s);
  return parts.length === 0 ? '' : `Pinned to ${parts.join(' and ')}.`;
}

/** An earlier answer as the model sees it in the history: the summary and what it cited. */
function answerTurn(m: ChatMessage): string {
  const ids = m.answer?.answer.evidence.map((e) => e.id) ?? [];
  return ids.length === 0 ? m.text : `${m.text}\n(cited: ${ids.join(', ')})`;
}

function notFound(what: string, matches: string[], message?: string): Grounding {
  return {
    names: [],
    causes: [],
    subject: what,
    context: message ?? `No ${what} is stored.`,
    rules: () => ({
      summary: `${message ?? `No ${what} is stored`}.${matches.length > 0 ? ` Did you mean ${matches.slice(0, 5).join(', ')}?` : ''}`,
      rootCause: null,
      confidence: 0,
      evidence: [],
      nextSteps: matches.length > 0 ? [`Ask again with one of: ${matches.slice(0, 5).join(', ')}`] : [],
      proposedFix: null,
    }),
  };
}

/** "What is wrong in shop?": the open incidents there, worst first, each with its top cause. */
function scopeAnswer(
  scope: string,
  incidents: Incident[],
  total: number,
  evidence: EvidenceRegistry,
): RcaAnswer {
  if (incidents.length === 0) {
    return {
      summary: `Nothing is wrong in ${scope} as far as Sleuth can tell: no incident is open there.`,
      rootCause: null,
      confidence: 0,
      evidence: [],
      nextSteps: [],
      proposedFix: null,
    };
  }
  const top = incidents[0] as Incident;
  const base = rulesAnswer(top.rootCauses, evidence, `incident "${top.title}"`);
  const lines = incidents.map((i) => {
    const c = i.rootCauses[0];
    return `${i.severity}: ${i.title}${c ? ` (most likely ${c.failureMode} on ${c.resource.kind} ${c.resource.name})` : ''}`;
  });
  const cited = [...base.evidence];
  for (const i of incidents.slice(1)) {
    const e = i.rootCauses[0]?.evidence[0];
    if (!e) continue;
    const id = evidence.add(e.signal, e.summary);
    const item = evidence.get(id);
    if (item && !cited.some((x) => x.id === id)) cited.push(item);
  }
  return {
    ...base,
    summary: `${total} open incident${total === 1 ? '' : 's'} in ${scope}${total > incidents.length ? ` (the ${incidents.length} worst shown)` : ''}: ${lines.join('; ')}. The worst: ${base.summary}`,
    evidence: cited,
  };
}
