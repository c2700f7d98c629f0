import { z } from 'zod';
import { IsoDate, SessionStatus, Usage } from './common.js';
import { MessageDto, MessageText } from './messages.js';

export const CreateWebSessionBody = z
  .object({ participant: z.string().max(128).optional() })
  .strict()
  .optional();

export const CreateWebSessionResponse = z.object({
  sessionId: z.string(),
  token: z.string(),
  expiresAt: IsoDate,
});
export type CreateWebSessionResponse = z.infer<typeof CreateWebSessionResponse>;

/** `{ message }`, or seed 001's voice-agent body `{ question, sessionId }`. */
export const PostWebMessageBody = z.union([
  z.object({ message: MessageText, participant: z.string().max(128).optional() }).strict(),
  z.object({ question: MessageText, sessionId: z.string().optional() }).strict(),
]);
export type PostWebMessageBody = z.infer<typeof PostWebMessageBody>;

export const TurnReply = z.object({
  sessionId: z.string(),
  /** the assistant's answer text (seed 001 names it `response`) */
  response: z.string(),
  message: MessageDto,
  usage: Usage.nullable(),
  costMicros: z.number().int().nullable(),
  /** true when the previous thread had expired or been cleared and this turn opened a new one */
  newThread: z.boolean(),
});
export type TurnReply = z.infer<typeof TurnReply>;

export const WebHistoryResponse = z.object({
  sessionId: z.string(),
  status: SessionStatus.nullable(),
  expiresAt: IsoDate.nullable(),
  messages: z.array(MessageDto),
});
export type WebHistoryResponse = z.infer<typeof WebHistoryResponse>;

export const ClearResponse = z.object({ sessionId: z.string(), cleared: z.boolean() });
export type ClearResponse = z.infer<typeof ClearResponse>;
