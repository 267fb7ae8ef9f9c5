import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, OverloadedError, ResourceRef, isSleuthError, type ChatMessage } from '@sleuth/core';
import type { ChatService } from '../chat/chat-service';
import type { Principal } from '../auth/principal';
import type { Investigations } from '../chat/investigations';
import type { ScopeViews } from '../auth/scope-views';

export interface ChatRouteDeps {
  chat: ChatService;
  investigations: Investigations;
  /** A scoped principal's investigations: its own, run over its scope and kept in memory. */
  views: ScopeViews;
  /**
   * The chat as a principal sees it: for a scoped one, a service over its scoped store whose
   * investigator's tools read only that (app.ts); `chat` itself when not given.
   */
  chatFor?: (principal: Principal | undefined) => ChatService;
  /** Questions answered at once; more answer 429 (each may hold an LLM call for a minute). */
  maxConcurrent?: number;
}

const Id = z.string().min(1).max(100);
const MAX_UNREAD_BYTES = 1024 * 1024;

const CreateBody = z
  .object({
    title: z.string().max(200).optional(),
    pin: z
      .object({
        incidentId: z.string().min(1).max(200).optional(),
        resource: ResourceRef.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const AskBody = z.object({ text: z.string().trim().min(1).max(4000) }).strict();

/**
 * Chat-style diagnosis:
 * - `POST /conversations` {title?, pin?: {incidentId?, resource?}} → 201 {conversation}
 * - `GET /conversations?incident=ID&limit=N` → {conversations}, newest first
 * - `GET /conversations/:id` → {conversation, messages}
 * - `POST /conversations/:id/messages` {text}: asks a question. With `Accept: text/event-stream`
 *   the answer streams as Server-Sent Events: `question` (the stored question), `tool_call` (each
 *   tool the LLM called, once it returned), `token` ({text}: the answer's summary as it is written),
 *   `restart` (the text so far is void: the answer is being written again), then `answer` (the
 *   stored answer with its citations) or `error` ({error}), and the stream ends. Otherwise the
 *   answer is the JSON {question, answer} once complete.
 * - `POST /incidents/:id/investigation`: the LLM investigation of the incident in its current state
 *   (run now, or the stored one for that state) → {investigation}; without an LLM its record is
 *   the deterministic engine's answer, marked `rules`.
 * - `GET /incidents/:id/investigation`: the newest stored investigation, 404 when none.
 *
 * A scoped principal's investigations are its scope's own: run by an investigator whose tools read
 * only the scope, kept in memory for that scope (never stored over the fleet-wide one, which may
 * cite data beyond it), and only of incidents it may see.
 */
/** How a conversation names who started it. */
export function ownerOf(p: Principal | undefined): string | undefined {
  if (!p) return undefined;
  return p.kind === 'local' ? 'local' : `${p.kind}:${p.id}`;
}

export function chatRoutes({
  chat: shared,
  chatFor,
  investigations: fleetWide,
  views,
  maxConcurrent = 4,
}: ChatRouteDeps) {
  const chatOf = (req: FastifyRequest): ChatService => chatFor?.(req.principal) ?? shared;
  const investigationsOf = (req: FastifyRequest): Investigations =>
    views.of(req.principal)?.investigations ?? fleetWide;
  return function register(base: FastifyInstance): void {
    const app = base.withTypeProvider<ZodTypeProvider>();
    let running = 0;

    app.post(
      '/conversations',
      { config: { access: 'operate', audit: 'chat.started', scoped: true }, schema: { body: CreateBody } },
      async (req, reply) => {
        const conversation = await chatOf(req).createConversation(req.body, ownerOf(req.principal));
        return reply.status(201).send({ conversation });
      },
    );

    app.get(
      '/conversations',
      {
        config: { scoped: true },
        schema: {
          querystring: z.object({
            incident: z.string().min(1).max(200).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
          }),
        },
      },
      async (req) => ({
        conversations: await chatOf(req).list({
          ...(req.query.incident ? { incidentId: req.query.incident } : {}),
          limit: req.query.limit,
        }),
      }),
    );

    app.post(
      '/incidents/:id/investigation',
      {
        config: { access: 'operate', audit: 'investigation.started', scoped: true },
        schema: { params: z.object({ id: Id }) },
      },
      async (req) => {
        if (running >= maxConcurrent)
          throw new OverloadedError(`${running} questions are being answered; ask again shortly`, 5);
        running++;
        try {
          return { investigation: await investigationsOf(req).investigate(req.params.id) };
        } finally {
          running--;
        }
      },
    );

    app.get(
      '/incidents/:id/investigation',
      { config: { scoped: true }, schema: { params: z.object({ id: Id }) } },
      async (req) => {
        // A scoped principal's investigation of an incident that has since grown beyond its scope
        // is no longer its to see.
        const view = views.of(req.principal);
        if (view && !(await view.store.getIncident(req.params.id)))
          throw new NotFoundError(`no incident ${req.params.id}`);
        const investigation = await investigationsOf(req).latest(req.params.id);
        if (!investigation) throw new NotFoundError(`incident ${req.params.id} has no investigation`);
        return { investigation };
      },
    );

    app.get(
      '/conversations/:id',
      { config: { scoped: true }, schema: { params: z.object({ id: Id }) } },
      async (req) => chatOf(req).conversation(req.params.id),
    );

    app.post(
      '/conversations/:id/messages',
      {
        config: { access: 'operate', audit: 'chat.asked', scoped: true },
        schema: { params: z.object({ id: Id }), body: AskBody },
      },
      async (req, reply) => {
        if (running >= maxConcurrent)
          throw new OverloadedError(`${running} questions are being answered; ask again shortly`, 5);
        running++;
        try {
          // The conversation must exist before a stream is opened (a 404 is a status, not an event).
          const chat = chatOf(req);
          await chat.conversation(req.params.id);
          if (wantsStream(req)) await streamAnswer(req, reply, chat, req.params.id, req.body.text);
          else {
            // A client that goes away stops the answer and the LLM calls behind it.
            const abort = new AbortController();
            const onClose = (): void => {
              if (!reply.raw.writableFinished) abort.abort();
            };
            reply.raw.on('close', onClose);
            try {
              return await chat.ask(req.params.id, req.body.text, {}, abort.signal);
            } finally {
              reply.raw.off('close', onClose);
            }
          }
        } finally {
          running--;
        }
        return reply;
      },
    );
  };
}

function wantsStream(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

async function streamAnswer(
  req: FastifyRequest,
  reply: FastifyReply,
  chat: ChatService,
  id: string,
  text: string,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const abort = new AbortController();
  let ended = false;
  let seq = 0;
  const send = (event: string, data: unknown): void => {
    if (ended) return;
    if (res.writableLength > MAX_UNREAD_BYTES) {
      req.log.warn('closing a chat stream whose client does not keep up');
      abort.abort();
      end();
      return;
    }
    res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    res.end();
  };
  // The client leaving stops the answer (and the LLM calls behind it).
  res.on('close', () => {
    if (!ended) abort.abort();
    ended = true;
  });
  try {
    const { answer } = await chat.ask(
      id,
      text,
      {
        onQuestion: (m: ChatMessage) => send('question', m),
        onToolCall: (call) => send('tool_call', call),
        onText: (delta) => send('token', { text: delta }),
        onRestart: () => send('restart', {}),
      },
      abort.signal,
    );
    send('answer', answer);
  } catch (err) {
    if (!isSleuthError(err) || err.statusCode >= 500) req.log.error({ err }, 'answering a question failed');
    send('error', {
      error:
        isSleuthError(err) && err.statusCode < 500
          ? err.message
          : 'answering failed; the server log has the details',
    });
  } finally {
    end();
  }
}
