import { Injectable } from '@nestjs/common';
import type { MessageRow } from '@api/sessions/session.types.js';
import { Database } from '@api/storage/database.js';

export interface ConversationRow {
  id: string;
  tenant: string;
  api_key_id: string | null;
  session_key: string;
  metadata: Record<string, string>;
  created_at: Date;
}

export interface ResponseRow {
  id: string;
  tenant: string;
  session_key: string | null;
  conversation_id: string | null;
  assistant_message_id: string | null;
  output_item_id: string | null;
  body: Record<string, unknown>;
  created_at: Date;
}

export interface NewResponseRow {
  id: string;
  tenant: string;
  apiKeyId: string | null;
  sessionKey: string;
  conversationId: string | null;
  assistantMessageId: string | null;
  outputItemId: string;
  body: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Stored responses and conversations. Every read and write names the tenant: an id
 * from another tenant is simply not found.
 */
@Injectable()
export class OpenAICompatRepository {
  constructor(private readonly db: Database) {}

  async saveResponse(row: NewResponseRow): Promise<void> {
    await this.db.query(
      `INSERT INTO openai_responses (id, tenant, api_key_id, session_key, conversation_id, assistant_message_id, output_item_id, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
      [row.id, row.tenant, row.apiKeyId, row.sessionKey, row.conversationId, row.assistantMessageId, row.outputItemId, JSON.stringify(row.body), row.createdAt],
    );
  }

  async findResponse(tenant: string, id: string): Promise<ResponseRow | null> {
    if (!isIdLike(id)) return null;
    const { rows } = await this.db.query<ResponseRow>(`SELECT * FROM openai_responses WHERE id = $1 AND tenant = $2`, [id, tenant]);
    return rows[0] ?? null;
  }

  async deleteResponse(tenant: string, id: string): Promise<boolean> {
    if (!isIdLike(id)) return false;
    const { rows } = await this.db.query<{ id: string }>(`DELETE FROM openai_responses WHERE id = $1 AND tenant = $2 RETURNING id`, [id, tenant]);
    return rows.length > 0;
  }

  /** The output item ids responses gave these assistant messages (conversation items show the same ids). */
  async outputItemIds(messageIds: string[]): Promise<Map<string, string>> {
    if (!messageIds.length) return new Map();
    const { rows } = await this.db.query<{ assistant_message_id: string; output_item_id: string }>(
      `SELECT assistant_message_id, output_item_id FROM openai_responses WHERE assistant_message_id = ANY($1::uuid[]) AND output_item_id IS NOT NULL`,
      [messageIds],
    );
    return new Map(rows.map((r) => [r.assistant_message_id, r.output_item_id]));
  }

  /** The message a response's output item id stands for, within one tenant. */
  async messageOfOutputItem(tenant: string, outputItemId: string): Promise<string | null> {
    if (!isIdLike(outputItemId)) return null;
    const { rows } = await this.db.query<{ assistant_message_id: string }>(
      `SELECT assistant_message_id FROM openai_responses WHERE output_item_id = $1 AND tenant = $2 AND assistant_message_id IS NOT NULL`,
      [outputItemId, tenant],
    );
    return rows[0]?.assistant_message_id ?? null;
  }

  async createConversation(row: ConversationRow): Promise<ConversationRow> {
    const { rows } = await this.db.query<ConversationRow>(
      `INSERT INTO openai_conversations (id, tenant, api_key_id, session_key, metadata, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING *`,
      [row.id, row.tenant, row.api_key_id, row.session_key, JSON.stringify(row.metadata), row.created_at],
    );
    return rows[0]!;
  }

  async findConversation(tenant: string, id: string): Promise<ConversationRow | null> {
    if (!isIdLike(id)) return null;
    const { rows } = await this.db.query<ConversationRow>(`SELECT * FROM openai_conversations WHERE id = $1 AND tenant = $2`, [id, tenant]);
    return rows[0] ?? null;
  }

  async updateConversation(tenant: string, id: string, metadata: Record<string, string>): Promise<ConversationRow | null> {
    if (!isIdLike(id)) return null;
    const { rows } = await this.db.query<ConversationRow>(
      `UPDATE openai_conversations SET metadata = $3::jsonb WHERE id = $1 AND tenant = $2 RETURNING *`,
      [id, tenant, JSON.stringify(metadata)],
    );
    return rows[0] ?? null;
  }

  async deleteConversation(tenant: string, id: string): Promise<ConversationRow | null> {
    if (!isIdLike(id)) return null;
    const { rows } = await this.db.query<ConversationRow>(`DELETE FROM openai_conversations WHERE id = $1 AND tenant = $2 RETURNING *`, [id, tenant]);
    return rows[0] ?? null;
  }

  /**
   * A page of a thread's messages for the items list, starting at `fromSeq` (inclusive)
   * in the given order; error answers are left out, as the model never sees them either.
   */
  async messagePage(sessionId: string, order: 'asc' | 'desc', fromSeq: number | null, limit: number): Promise<MessageRow[]> {
    const bound = fromSeq === null ? '' : order === 'asc' ? 'AND seq >= $3' : 'AND seq <= $3';
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM messages WHERE session_id = $1 AND status <> 'error' ${bound} ORDER BY seq ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT $2`,
      fromSeq === null ? [sessionId, limit] : [sessionId, limit, fromSeq],
    );
    return rows;
  }

  async seqOf(sessionId: string, messageId: string): Promise<number | null> {
    const { rows } = await this.db.query<{ seq: number }>(`SELECT seq FROM messages WHERE session_id = $1 AND id = $2`, [sessionId, messageId]);
    return rows[0]?.seq ?? null;
  }
}

/**
 * Ids come from URLs and bodies: one that none of ours could be (`resp_…`, `conv_…`,
 * `msg_…`) is simply not found, and never reaches the database (a NUL would fail there).
 */
function isIdLike(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(id);
}
