import { describe, expect, it } from 'vitest';
import {
  NotFoundError,
  ValidationError,
  type AnswerRecord,
  type ChatMessage,
  type Conversation,
  type Investigation,
} from '@sleuth/core';
import { batchOf, HOUR, log, MINUTE, SECOND, T0 } from './fixtures';
import { useStore, type MakeStore } from './harness';

const CART_POD = { cluster: 'prod-eu', namespace: 'shop', kind: 'Pod', name: 'cart-7d9f-abc12' };

function conversation(id: string, over: Partial<Conversation> = {}): Conversation {
  return { id, title: `why is ${id} failing?`, pin: {}, createdMs: T0, updatedMs: T0, ...over };
}

function message(
  id: string,
  conversationId: string,
  createdMs: number,
  text = `question ${id}`,
): ChatMessage {
  return { id, conversationId, role: 'user', text, createdMs };
}

/** An LLM answer with every optional field set. */
const FULL_ANSWER: AnswerRecord = {
  origin: 'llm',
  answer: {
    summary: 'cart is OOM-killed: its memory limit is below its working set',
    rootCause: { resource: CART_POD, failureMode: 'oom-killed', hypothesis: 'the 256Mi limit is too low' },
    confidence: 0.82,
    evidence: [
      { id: 'log:812', signal: { kind: 'log', ids: ['812'] }, summary: 'OOMKilled in the container status' },
      {
        id: 'series:mem',
        signal: {
          kind: 'series',
          name: 'container_memory_working_set_bytes',
          labels: { pod: CART_POD.name },
          fromMs: T0,
          toMs: T0 + MINUTE,
        },
        summary: 'working set reached 255Mi',
      },
    ],
    nextSteps: ['raise the memory limit to 512Mi', 'watch restarts for ten minutes'],
    proposedFix: {
      resource: { ...CART_POD, kind: 'Deployment', name: 'cart' },
      field: 'spec.template.spec.containers[0].resources.limits.memory',
      from: '256Mi',
      to: '512Mi',
      rationale: 'the working set peaks at 255Mi',
    },
  },
  prompts: ['chat-system@3', 'partials/evidence@1'],
  model: 'openai:gpt-4.1-mini',
  usage: { promptTokens: 5120, completionTokens: 610, completions: 3, toolCalls: 2 },
  toolCalls: [
    { name: 'search_logs', arguments: '{"q":"OOMKilled"}', status: 'ok' },
    { name: 'query_metric', arguments: '{"name":"gpu"}', status: 'no_data', note: 'no such metric' },
  ],
  fallbackReason: 'first answer cited unknown evidence; repaired once',
  notes: ['dropped uncited evidence anomaly:an_9'],
  createdMs: T0 + 2 * MINUTE,
  durationMs: 8_450.5,
};

function investigation(id: string, incidentId: string, over: Partial<Investigation> = {}): Investigation {
  return {
    id,
    incidentId,
    stateKey: 'st_1',
    promptFingerprint: 'pf_1',
    status: 'running',
    createdMs: T0,
    updatedMs: T0,
    ...over,
  };
}

export function chatContract(make: MakeStore): void {
  describe('conversations and messages', () => {
    const ref = useStore(make, 'each');

    it('stores conversations with their pins and replaces them by id', async () => {
      const pinned = conversation('cv_1', { pin: { incidentId: 'inc_1', resource: CART_POD } });
      const free = conversation('cv_2');
      await ref.store.putConversation(pinned);
      await ref.store.putConversation(free);
      expect(await ref.store.getConversation('cv_1')).toEqual(pinned);
      expect(await ref.store.getConversation('cv_2')).toEqual(free);
      expect(await ref.store.getConversation('cv_404')).toBeUndefined();
      const renamed = { ...pinned, title: 'cart OOM', pin: { resource: CART_POD } };
      await ref.store.putConversation(renamed);
      expect(await ref.store.getConversation('cv_1')).toEqual(renamed);
      expect(await ref.store.listConversations({ incidentId: 'inc_1' })).toEqual([]);
    });

    it('lists conversations newest first, by incident, and pages without gaps or repeats', async () => {
      const all = [
        conversation('cv_a', { updatedMs: T0 + 3 * MINUTE, pin: { incidentId: 'inc_1' } }),
        conversation('cv_b', { updatedMs: T0 + MINUTE }),
        conversation('cv_c', { updatedMs: T0 + 3 * MINUTE, pin: { incidentId: 'inc_2' } }),
        conversation('cv_d', { updatedMs: T0 + 2 * MINUTE, pin: { incidentId: 'inc_1' } }),
        conversation('cv_e', { updatedMs: T0 + 3 * MINUTE }),
      ];
      for (const c of all) await ref.store.putConversation(c);
      const ids = async (q: Parameters<typeof ref.store.listConversations>[0]): Promise<string[]> =>
        (await ref.store.listConversations(q)).map((c) => c.id);
      // Equal updatedMs: the id, descending, breaks the tie.
      expect(await ids({})).toEqual(['cv_e', 'cv_c', 'cv_a', 'cv_d', 'cv_b']);
      expect(await ids({ incidentId: 'inc_1' })).toEqual(['cv_a', 'cv_d']);
      const seen: string[] = [];
      let before: { updatedMs: number; id: string } | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await ref.store.listConversations({ limit: 2, ...(before ? { before } : {}) });
        seen.push(...page.map((c) => c.id));
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        before = { updatedMs: last.updatedMs, id: last.id };
      }
      expect(seen).toEqual(['cv_e', 'cv_c', 'cv_a', 'cv_d', 'cv_b']);
      expect(await ids({ incidentId: 'inc_1', before: { updatedMs: T0 + 3 * MINUTE, id: 'cv_a' } })).toEqual([
        'cv_d',
      ]);
      for (const limit of [0, 501]) {
        const err: unknown = await ref.store.listConversations({ limit }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect(String(err)).toMatch(/limit/);
      }
    });

    it('lists messages in the order appended, the last `limit` ones, and replaces a repeated id in place', async () => {
      await ref.store.putConversation(conversation('cv_1'));
      await ref.store.putConversation(conversation('cv_2'));
      // Appended out of createdMs order: the order appended is the order listed.
      const sent = [1, 2, 4, 3, 5].map((n) => message(`m${n}`, 'cv_1', T0 + n * SECOND));
      for (const m of sent) await ref.store.appendMessage(m);
      await ref.store.appendMessage(message('other', 'cv_2', T0));
      const ids = async (limit?: number): Promise<string[]> =>
        (await ref.store.listMessages('cv_1', limit === undefined ? undefined : { limit })).map((m) => m.id);
      expect(await ref.store.listMessages('cv_1')).toEqual(sent);
      expect(await ids(2)).toEqual(['m3', 'm5']);
      const edited = {
        ...message('m2', 'cv_1', T0 + 2 * SECOND),
        role: 'assistant' as const,
        text: 'answer',
      };
      await ref.store.appendMessage(edited);
      expect(await ids()).toEqual(['m1', 'm2', 'm4', 'm3', 'm5']);
      expect((await ref.store.listMessages('cv_1'))[1]).toEqual(edited);
      expect((await ref.store.listMessages('cv_2')).map((m) => m.id)).toEqual(['other']);
      expect(await ref.store.listMessages('cv_404')).toEqual([]);
    });

    it('moves the conversation forward when a message is appended, and rejects an unknown conversation', async () => {
      await ref.store.putConversation(conversation('cv_old', { updatedMs: T0 }));
      await ref.store.putConversation(conversation('cv_new', { updatedMs: T0 + MINUTE }));
      await ref.store.appendMessage(message('m1', 'cv_old', T0 + 2 * MINUTE));
      expect((await ref.store.getConversation('cv_old'))?.updatedMs).toBe(T0 + 2 * MINUTE);
      expect((await ref.store.listConversations({})).map((c) => c.id)).toEqual(['cv_old', 'cv_new']);
      // A message older than the conversation's last update does not move it back.
      await ref.store.appendMessage(message('m0', 'cv_new', T0));
      expect((await ref.store.getConversation('cv_new'))?.updatedMs).toBe(T0 + MINUTE);

      const err: unknown = await ref.store
        .appendMessage(message('m9', 'cv_404', T0 + 3 * MINUTE))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(String(err)).toMatch(/cv_404/);
      expect(await ref.store.listMessages('cv_404')).toEqual([]);
      expect(await ref.store.getConversation('cv_404')).toBeUndefined();
    });

    it('round-trips an assistant message with a full answer record', async () => {
      await ref.store.putConversation(conversation('cv_1', { pin: { incidentId: 'inc_1' } }));
      const question = message('m1', 'cv_1', T0 + MINUTE, 'why does cart restart?');
      const reply: ChatMessage = {
        id: 'm2',
        conversationId: 'cv_1',
        role: 'assistant',
        text: FULL_ANSWER.answer.summary,
        answer: FULL_ANSWER,
        createdMs: T0 + 2 * MINUTE,
      };
      await ref.store.appendMessage(question);
      await ref.store.appendMessage(reply);
      expect(await ref.store.listMessages('cv_1')).toEqual([question, reply]);
    });

    it('refuses a message that does not match its schema, naming the field', async () => {
      await ref.store.putConversation(conversation('cv_1'));
      const err: unknown = await ref.store
        .appendMessage(message('m1', 'cv_1', T0, 'x'.repeat(20_001)))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(String(err)).toMatch(/text/);
      expect(await ref.store.listMessages('cv_1')).toEqual([]);
    });
  });

  describe('investigations', () => {
    const ref = useStore(make, 'each');

    it('stores investigations, replaces them by id and lists an incident’s newest first', async () => {
      const first = investigation('inv_1', 'inc_1', {
        status: 'failed',
        error: 'the LLM endpoint timed out',
        updatedMs: T0 + MINUTE,
      });
      const running = investigation('inv_2', 'inc_1', { stateKey: 'st_2', updatedMs: T0 + 2 * MINUTE });
      const elsewhere = investigation('inv_3', 'inc_2', { updatedMs: T0 + 5 * MINUTE });
      for (const i of [first, running, elsewhere]) await ref.store.putInvestigation(i);
      expect(await ref.store.getInvestigation('inv_1')).toEqual(first);
      expect(await ref.store.getInvestigation('inv_404')).toBeUndefined();
      const ids = async (incidentId: string, limit?: number): Promise<string[]> =>
        (await ref.store.listInvestigations(incidentId, limit === undefined ? undefined : { limit })).map(
          (i) => i.id,
        );
      expect(await ids('inc_1')).toEqual(['inv_2', 'inv_1']);
      expect(await ids('inc_2')).toEqual(['inv_3']);
      expect(await ids('inc_404')).toEqual([]);

      const done = { ...running, status: 'done' as const, record: FULL_ANSWER, updatedMs: T0 + 3 * MINUTE };
      await ref.store.putInvestigation(done);
      expect(await ref.store.getInvestigation('inv_2')).toEqual(done);
      expect(await ref.store.listInvestigations('inc_1', { limit: 1 })).toEqual([done]);
      const revived = { ...first, updatedMs: T0 + 4 * MINUTE };
      await ref.store.putInvestigation(revived);
      expect(await ids('inc_1')).toEqual(['inv_1', 'inv_2']);
    });
  });

  describe('chat durability and retention', () => {
    const ref = useStore(make, 'each');

    async function seed(): Promise<void> {
      await ref.store.putConversation(
        conversation('cv_1', { pin: { incidentId: 'inc_1', resource: CART_POD } }),
      );
      await ref.store.appendMessage(message('m1', 'cv_1', T0 + SECOND));
      await ref.store.appendMessage({
        id: 'm2',
        conversationId: 'cv_1',
        role: 'assistant',
        text: 'answer',
        answer: FULL_ANSWER,
        createdMs: T0 + 2 * SECOND,
      });
      await ref.store.putInvestigation(
        investigation('inv_1', 'inc_1', { status: 'done', record: FULL_ANSWER }),
      );
    }

    it('keeps conversations, messages and investigations after the store is reopened', async (ctx) => {
      const reopen = ref.harness.reopen;
      if (!reopen) {
        ctx.skip();
        return;
      }
      await seed();
      const store = await reopen();
      expect(await store.getConversation('cv_1')).toMatchObject({
        pin: { incidentId: 'inc_1', resource: CART_POD },
        updatedMs: T0 + 2 * SECOND,
      });
      expect((await store.listMessages('cv_1')).map((m) => m.id)).toEqual(['m1', 'm2']);
      expect((await store.listMessages('cv_1'))[1]?.answer).toEqual(FULL_ANSWER);
      expect(await store.getInvestigation('inv_1')).toMatchObject({ status: 'done', record: FULL_ANSWER });
      await store.appendMessage(message('m3', 'cv_1', T0 + 3 * SECOND));
      expect((await store.listMessages('cv_1')).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    });

    it('keeps them through retention by age and by size', async () => {
      await seed();
      await ref.store.writeBatch(batchOf({ logs: [log({ timeMs: T0, body: 'old line' })] }));
      const report = await ref.store.enforceRetention({ maxAgeMs: HOUR, maxBytes: 1, nowMs: T0 + 10 * HOUR });
      expect(report.deleted.logs).toBe(1);
      expect(await ref.store.getConversation('cv_1')).toBeDefined();
      expect((await ref.store.listMessages('cv_1')).map((m) => m.id)).toEqual(['m1', 'm2']);
      expect((await ref.store.listInvestigations('inc_1')).map((i) => i.id)).toEqual(['inv_1']);
      expect((await ref.store.stats()).counts).toMatchObject({
        conversations: 1,
        chatMessages: 2,
        investigations: 1,
      });
    });
  });
}
