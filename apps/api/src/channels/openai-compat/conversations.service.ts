import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { newId } from '@api/common/ids.js';
import { assertCleanText } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination, LockTimeoutError } from '@api/coordination/coordination.port.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import { toMessageDto, type MessageRow } from '@api/sessions/session.types.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { estimateMessageTokens } from '@api/usage/token-counter.js';
import { itemsOf, messageIdOfItem, type ConversationItem } from './conversation-items.js';
import { identityOf, prefixedId, threadKey, type OpenAICaller } from './openai-auth.js';
import { OpenAICompatRepository, type ConversationRow } from './openai-compat.repository.js';
import { invalidRequest, notFound } from './openai-errors.js';
import { messageOf, type InputItem, type ListItemsQuery } from './responses.schema.js';
import { copyWith } from '@api/common/copy-with.js';

export interface ItemList {
  object: 'list';
  data: ConversationItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * The Conversations API over Threadline threads: a conversation is a name for the
 * thread under its key; its items are that thread's messages. Deleting one forgets
 * the name and clears the thread (the transcript stays for staff, as on every channel).
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repo: OpenAICompatRepository,
    private readonly sessions: SessionsService,
    private readonly coordination: Coordination,
    private readonly events: SessionEvents,
  ) {}

  async create(caller: OpenAICaller, items: InputItem[], metadata: Record<string, string>) {
    const messages = this.toMessages(items);
    const id = prefixedId('conv', newId());
    const row = await this.repo.createConversation({
      id,
      tenant: caller.tenant,
      api_key_id: caller.apiKeyId,
      session_key: threadKey.conversation(caller.tenant, id),
      metadata,
      created_at: this.clock.now(),
    });
    if (messages.length) await this.append(caller, row, messages);
    return conversationObject(row);
  }

  /** The caller's conversation, or OpenAI's 404 (also for another tenant's id). */
  async find(caller: OpenAICaller, id: string, param: string | null = null): Promise<ConversationRow> {
    const row = await this.repo.findConversation(caller.tenant, id);
    if (!row) throw notFound(`Conversation with id '${id}' not found.`, param);
    return row;
  }

  async retrieve(caller: OpenAICaller, id: string) {
    return conversationObject(await this.find(caller, id));
  }

  async update(caller: OpenAICaller, id: string, metadata: Record<string, string>) {
    const row = await this.repo.updateConversation(caller.tenant, id, metadata);
    if (!row) throw notFound(`Conversation with id '${id}' not found.`);
    return conversationObject(row);
  }

  async delete(caller: OpenAICaller, id: string) {
    const row = await this.repo.deleteConversation(caller.tenant, id);
    if (!row) throw notFound(`Conversation with id '${id}' not found.`);
    const session = await this.sessions.currentOf('openai', row.session_key);
    if (session) await this.sessions.clear(session, 'user');
    return { id, object: 'conversation.deleted' as const, deleted: true };
  }

  async addItems(caller: OpenAICaller, id: string, items: InputItem[]): Promise<ItemList> {
    const row = await this.find(caller, id);
    const stored = await this.append(caller, row, this.toMessages(items));
    const outputIds = new Map<string, string>();
    return listOf(stored.flatMap((m) => itemsOf(m, outputIds)), false);
  }

  /** Items of the conversation's thread, newest first by default, paged by item id like OpenAI's. */
  async listItems(caller: OpenAICaller, id: string, query: z.infer<typeof ListItemsQuery>): Promise<ItemList> {
    const row = await this.find(caller, id);
    const session = await this.sessions.findLatest('openai', row.session_key);
    if (!session) return listOf([], false);
    let fromSeq: number | null = null;
    if (query.after) {
      const messageId = messageIdOfItem(query.after) ?? (await this.repo.messageOfOutputItem(caller.tenant, query.after));
      fromSeq = messageId ? await this.repo.seqOf(session.id, messageId) : null;
      if (fromSeq === null) throw invalidRequest(`No item with id '${query.after}' in this conversation.`, 'after');
    }
    // One message can make several items: read a message more than needed, then cut.
    const rows = await this.repo.messagePage(session.id, query.order, fromSeq, query.limit + 2);
    const outputIds = await this.repo.outputItemIds(rows.filter((r) => r.role === 'assistant').map((r) => r.id));
    let items = rows.flatMap((r) => (query.order === 'asc' ? itemsOf(r, outputIds) : itemsOf(r, outputIds).reverse()));
    if (query.after) items = items.slice(items.findIndex((item) => item.id === query.after) + 1);
    const page = items.slice(0, query.limit);
    return listOf(page, items.length > page.length || rows.length === query.limit + 2);
  }

  private toMessages(items: InputItem[]): Array<{ role: 'user' | 'assistant'; content: string }> {
    return items.map((item, index) => {
      const message = messageOf(item, `items[${index}]`);
      if (message.role !== 'user' && message.role !== 'assistant') {
        throw invalidRequest('system and developer items are not kept in a conversation; send them as instructions with each response', `items[${index}].role`);
      }
      assertCleanText(message.content, this.config.env.MAX_MESSAGE_BYTES, `items[${index}].content`);
      return { role: message.role, content: message.content };
    });
  }

  /** Appends under the thread's turn lock, so items never land in the middle of a turn. */
  private async append(caller: OpenAICaller, row: ConversationRow, messages: Array<{ role: 'user' | 'assistant'; content: string }>): Promise<MessageRow[]> {
    const identity = identityOf(caller, row.session_key, null);
    const lock = await this.coordination
      .acquireTurnLock(`openai:${row.session_key}`, { waitMs: this.config.env.TURN_LOCK_WAIT_MS, leaseMs: this.config.env.TURN_LOCK_LEASE_MS })
      .catch((error: unknown) => {
        if (error instanceof LockTimeoutError) throw new ApiError('unavailable', 'this conversation is busy with earlier messages; try again shortly', { 'retry-after': '5' });
        throw error;
      });
    try {
      const { session } = await this.sessions.getOrCreate(identity);
      const stored: MessageRow[] = [];
      for (const message of messages) {
        const appended = await this.sessions.append(session, copyWith(message, { tokenCount: estimateMessageTokens(message.content), apiKeyId: caller.apiKeyId }), { fence: lock.fence });
        if (!appended) throw new ApiError('conflict', 'the conversation changed while the items were being saved; please send them again');
        stored.push(appended.row);
        this.events.emit('message', session, toMessageDto(appended.row));
      }
      return stored;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}

function conversationObject(row: ConversationRow) {
  return { id: row.id, object: 'conversation' as const, created_at: Math.floor(row.created_at.getTime() / 1000), metadata: row.metadata ?? {} };
}

function listOf(data: ConversationItem[], hasMore: boolean): ItemList {
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}
