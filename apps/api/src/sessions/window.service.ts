import { Injectable } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import type { ChatModelMessage } from '@api/llm/chat-model.port.js';
import { selectWindow } from './context-window.js';
import { SessionRepository } from './session.repository.js';
import type { SessionRow } from './session.types.js';
import { WindowCache, type WindowRow } from './window-cache.js';

export interface ContextWindow {
  messages: ChatModelMessage[];
  /** seq of the oldest message in the window (0 when empty) */
  firstSeq: number;
}

/** Builds what the model sees: system prompt, running summary, newest messages that fit. */
@Injectable()
export class WindowService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly config: AppConfig,
    private readonly cache: WindowCache,
  ) {}

  /**
   * `cached`: what storing the user message learnt of the cache: the window rows (oldest
   * first), or null when the cache was out of step (asking it again would only miss).
   * Left out, the cache is asked.
   */
  async build(session: SessionRow, systemPrompt = this.config.env.SYSTEM_PROMPT, cached?: WindowRow[] | null): Promise<ContextWindow> {
    const { CONTEXT_MAX_MESSAGES: maxMessages, CONTEXT_MAX_TOKENS: maxTokens, CONTEXT_SUMMARY } = this.config.env;
    const hit = cached === undefined ? ((await this.cache.read(session.id))?.rows ?? null) : cached;
    const rows = hit ? [...hit].reverse() : await this.loadAndCache(session.id, maxMessages);
    const picked = selectWindow(rows.map(asCandidate), { maxMessages, maxTokens }).map((c) => c.row);
    const messages: ChatModelMessage[] = [{ role: 'system', content: systemPrompt }];
    const firstSeq = picked[0]?.seq ?? 0;
    if (CONTEXT_SUMMARY === 'on' && session.summary && session.summary_through_seq > 0) {
      messages.push({ role: 'system', content: `Summary of the earlier conversation:\n${session.summary}` });
    }
    for (const row of picked) messages.push(toModelMessage(row));
    return { messages, firstSeq };
  }

  /** The window can never hold more than maxMessages rows, so that is all we read: O(window). */
  private async loadAndCache(sessionId: string, maxMessages: number): Promise<WindowRow[]> {
    const { throughSeq, rows } = await this.repo.loadWindow(sessionId, maxMessages);
    await this.cache.fill(sessionId, throughSeq, [...rows].reverse());
    return rows;
  }
}

function asCandidate(row: WindowRow) {
  return { seq: row.seq, role: row.role, toolCalls: row.tool_calls, toolCallId: row.tool_call_id, tokenCount: row.token_count, row };
}

export function toModelMessage(row: WindowRow): ChatModelMessage {
  if (row.role === 'tool') return { role: 'tool', content: row.content, tool_call_id: row.tool_call_id ?? '' };
  if (row.role === 'assistant' && row.tool_calls?.length) {
    return {
      role: 'assistant',
      content: row.content || null,
      tool_calls: row.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
    };
  }
  return { role: row.role, content: row.content };
}
