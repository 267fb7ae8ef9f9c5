import type { Database } from 'better-sqlite3';
import { ChatMessage, Conversation, NotFoundError } from '@sleuth/core';
import { parseQuery } from '../parse-query';
import { ConversationQuery, MessageQuery } from '../queries';
import { decodeBody, encodeBody } from './codec';

/**
 * Chat conversations and their messages: the whole object as JSON plus the columns lookups sort
 * and filter on. Conversations are replaced by id; messages are appended in order (`seq`). Neither
 * is removed by retention.
 */
export class ConversationTable {
  constructor(private readonly db: Database) {}

  /** Inserts or replaces a conversation by id; its messages stay. */
  putConversation(conversation: Conversation): void {
    const body = encodeBody(Conversation, conversation, 'conversation');
    this.db
      .prepare('INSERT OR REPLACE INTO conversations (id, incident_id, updated_ms, body) VALUES (?, ?, ?, ?)')
      .run(conversation.id, conversation.pin.incidentId ?? null, conversation.updatedMs, body);
  }

  getConversation(id: string): Conversation | undefined {
    const body = this.db
      .prepare<[string], string>('SELECT body FROM conversations WHERE id = ?')
      .pluck()
      .get(id);
    return body === undefined ? undefined : decodeBody(Conversation, body, 'conversation');
  }

  /** Newest update first (ties broken by id, descending), from `before` on. */
  listConversations(input: ConversationQuery): Conversation[] {
    const q = parseQuery(ConversationQuery, input);
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.incidentId !== undefined) {
      where.push('incident_id = ?');
      args.push(q.incidentId);
    }
    if (q.before !== undefined) {
      where.push('(updated_ms < ? OR (updated_ms = ? AND id < ?))');
      args.push(q.before.updatedMs, q.before.updatedMs, q.before.id);
    }
    const sql = `SELECT body FROM conversations ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY updated_ms DESC, id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...args, q.limit)
      .map((body) => decodeBody(Conversation, body, 'conversation'));
  }

  /**
   * Appends a message after the conversation's last one, or replaces the message with its id in
   * place, and moves the conversation's updatedMs forward to the message's createdMs, all in one
   * transaction. Throws NotFoundError when the conversation does not exist.
   */
  appendMessage(message: ChatMessage): void {
    const body = encodeBody(ChatMessage, message, 'chat message');
    this.db.transaction(() => {
      const conversation = this.getConversation(message.conversationId);
      if (!conversation) {
        throw new NotFoundError(
          `conversation ${message.conversationId} does not exist: store it with putConversation before appending messages to it`,
          { conversationId: message.conversationId },
        );
      }
      // On a repeated id the row keeps its place, unless the message moved to another conversation.
      // Every right-hand side of the SET reads the row as it was before the update.
      this.db
        .prepare(
          `INSERT INTO chat_messages (id, conversation_id, created_ms, seq, body)
           VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM chat_messages WHERE conversation_id = ?), ?)
           ON CONFLICT (id) DO UPDATE SET
             seq = CASE WHEN conversation_id = excluded.conversation_id THEN seq ELSE excluded.seq END,
             conversation_id = excluded.conversation_id,
             created_ms = excluded.created_ms,
             body = excluded.body`,
        )
        .run(message.id, message.conversationId, message.createdMs, message.conversationId, body);
      if (message.createdMs > conversation.updatedMs)
        this.putConversation({ ...conversation, updatedMs: message.createdMs });
    })();
  }

  /** The conversation's last `limit` messages, first appended first. */
  listMessages(conversationId: string, input: MessageQuery = {}): ChatMessage[] {
    const q = parseQuery(MessageQuery, input);
    return this.db
      .prepare<[string, number], string>(
        `SELECT body FROM (
           SELECT seq, body FROM chat_messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?
         ) ORDER BY seq`,
      )
      .pluck()
      .all(conversationId, q.limit)
      .map((body) => decodeBody(ChatMessage, body, 'chat message'));
  }
}
