import type { AppliedPrice, Channel, MessageDto, MessageRole, MessageStatus, SessionStatus, SessionSummaryDto, ToolCall } from '@threadline/contracts';

export interface SessionRow {
  id: string;
  channel: Channel;
  key: string;
  status: SessionStatus;
  tenant: string | null;
  end_user_id: string | null;
  participants: string[];
  message_count: number;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  cached_tokens: number | string;
  cost_micros: number | string;
  unpriced_messages?: number;
  summary: string | null;
  summary_through_seq: number;
  created_at: Date;
  last_activity_at: Date;
  expires_at: Date;
  max_expires_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
}

export interface MessageRow {
  id: string;
  session_id: string;
  seq: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  participant: string | null;
  tool_calls: ToolCall[] | null;
  tool_call_id: string | null;
  model: string | null;
  token_count: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_tokens: number | null;
  usage_estimated: boolean | null;
  cost_micros: number | string | null;
  client_message_id: string | null;
  api_key_id: string | null;
  price: AppliedPrice | null;
  created_at: Date;
}

export interface NewMessage {
  role: MessageRole;
  content: string;
  status?: MessageStatus;
  participant?: string | null;
  toolCalls?: ToolCall[] | null;
  toolCallId?: string | null;
  model?: string | null;
  tokenCount: number;
  usage?: { promptTokens: number; completionTokens: number; cachedTokens: number; estimated: boolean } | null;
  costMicros?: number | null;
  clientMessageId?: string | null;
  /** the API key the turn was made with; counts the message in that key's usage */
  apiKeyId?: string | null;
  /** the price that applied (null: unpriced) */
  price?: AppliedPrice | null;
}

export type EndedBy = 'user' | 'staff' | 'ttl' | 'retention';

export function toMessageDto(row: MessageRow): MessageDto {
  const hasUsage = row.prompt_tokens !== null || row.completion_tokens !== null;
  const prompt = row.prompt_tokens ?? 0;
  const completion = row.completion_tokens ?? 0;
  return {
    id: row.id,
    seq: row.seq,
    role: row.role,
    content: row.content,
    status: row.status,
    participant: row.participant,
    createdAt: row.created_at.toISOString(),
    toolCalls: row.tool_calls,
    toolCallId: row.tool_call_id,
    model: row.model,
    usage: hasUsage
      ? { promptTokens: prompt, completionTokens: completion, cachedTokens: row.cached_tokens ?? 0, totalTokens: prompt + completion, estimated: row.usage_estimated ?? false }
      : null,
    costMicros: row.cost_micros === null ? null : Number(row.cost_micros),
    price: row.price ?? null,
  };
}

export function toSessionSummary(row: SessionRow): SessionSummaryDto {
  return {
    id: row.id,
    channel: row.channel,
    key: row.key,
    status: row.status,
    endUserId: row.end_user_id,
    tenant: row.tenant,
    participants: row.participants,
    messageCount: row.message_count,
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    costMicros: Number(row.cost_micros),
    unpricedMessages: row.unpriced_messages ?? 0,
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}
