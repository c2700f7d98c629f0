import { z } from 'zod';
import { IsoDate, MessageRole, MessageStatus, ToolCall, Usage } from './common.js';
import { AppliedPrice } from './usage.js';

/** Largest user message accepted, in UTF-8 bytes (DESIGN §5: 16 KB, 413 past it). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024;

export const MessageText = z
  .string()
  .min(1, 'message must not be empty')
  .refine((s) => s.trim().length > 0, 'message must not be blank');

export const MessageDto = z.object({
  id: z.string(),
  /** 0 for command replies, which are answered but never stored */
  seq: z.number().int().nonnegative(),
  role: MessageRole,
  content: z.string(),
  status: MessageStatus,
  participant: z.string().nullable(),
  createdAt: IsoDate,
  toolCalls: z.array(ToolCall).nullable(),
  toolCallId: z.string().nullable(),
  model: z.string().nullable(),
  usage: Usage.nullable(),
  /** integer micro-dollars; null when the model has no price */
  costMicros: z.number().int().nullable(),
  /**
   * The price that priced this message (assistant messages; null when unpriced).
   * Always sent by the api; optional only so older fixtures still typecheck.
   */
  price: AppliedPrice.nullable().optional(),
});
export type MessageDto = z.infer<typeof MessageDto>;
