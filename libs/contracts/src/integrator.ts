import { z } from 'zod';
import { IsoDate, Usage } from './common.js';
import { MessageText } from './messages.js';

/** X-User-Id and explicit thread ids: printable, no separators that could forge another key. */
export const EndUserId = z
  .string()
  .min(1, 'X-User-Id must not be empty')
  .max(128, 'X-User-Id is at most 128 characters')
  .regex(/^[A-Za-z0-9._@+-]+$/, 'X-User-Id may hold letters, digits and . _ @ + - only');

export const ChatBody = z
  .object({
    message: MessageText,
    /** an explicit thread instead of the user's default `user-{userId}` thread */
    thread_id: EndUserId.optional(),
  })
  .strict();
export type ChatBody = z.infer<typeof ChatBody>;

export const ChatResponse = z.object({
  response: z.string(),
  thread_id: z.string(),
  message_id: z.string(),
  status: z.enum(['complete', 'partial', 'error']),
  usage: Usage.nullable(),
  /** integer micro-dollars, null when unpriced */
  cost: z.number().int().nullable(),
});
export type ChatResponse = z.infer<typeof ChatResponse>;

/** The SSE stream of POST /api/chat/stream: each event is `event: <type>` plus `data: <json with type>`. */
export const ChatStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), content: z.string() }),
  z.object({ type: z.literal('token'), content: z.string() }),
  z.object({
    type: z.literal('done'),
    thread_id: z.string(),
    message_id: z.string(),
    status: z.enum(['complete', 'partial', 'error']),
    usage: Usage.nullable(),
    cost: z.number().int().nullable(),
  }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ChatStreamEvent = z.infer<typeof ChatStreamEvent>;

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  thread_id: EndUserId.optional(),
});

export const HistoryItem = z.object({
  id: z.string(),
  seq: z.number().int(),
  role: z.enum(['user', 'assistant', 'tool']),
  content: z.string(),
  status: z.enum(['complete', 'partial', 'error']),
  timestamp: IsoDate,
});
export const HistoryResponse = z.object({
  thread_id: z.string(),
  message_count: z.number().int(),
  messages: z.array(HistoryItem),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

export const ClearHistoryResponse = z.object({
  success: z.boolean(),
  message: z.string(),
  thread_id: z.string(),
});

export const SessionStatsResponse = z.object({
  user_id: z.string(),
  thread_id: z.string(),
  total_messages: z.number().int(),
  total_tokens_used: z.number().int(),
  session_start: IsoDate.nullable(),
  last_activity: IsoDate.nullable(),
});
export type SessionStatsResponse = z.infer<typeof SessionStatsResponse>;
