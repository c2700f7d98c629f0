import { z } from 'zod';

export const CHANNELS = ['web', 'api', 'slack', 'messenger', 'whatsapp', 'openai'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const SessionStatus = z.enum(['active', 'expired', 'cleared', 'deleted']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const MessageRole = z.enum(['user', 'assistant', 'tool']);
export type MessageRole = z.infer<typeof MessageRole>;

/** `partial`: the upstream failed mid-answer; `error`: no answer at all. */
export const MessageStatus = z.enum(['complete', 'partial', 'error']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const Usage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** true when the upstream sent no usage and the figures were counted locally */
  estimated: z.boolean(),
});
export type Usage = z.infer<typeof Usage>;

export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
export type ToolCall = z.infer<typeof ToolCall>;

export const IsoDate = z.string().describe('ISO-8601 timestamp, UTC');
