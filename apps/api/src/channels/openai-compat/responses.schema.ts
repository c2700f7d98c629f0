import { z } from 'zod';
import type { ClientMessage } from '@api/chat/turn.types.js';
import { textOf } from './client-messages.js';
import { invalidRequest } from './openai-errors.js';

/*
 * The subset of the Responses and Conversations APIs that conversation state needs.
 * Unknown fields are dropped; known ones must be well formed.
 */

const ContentPart = z.looseObject({ type: z.string().max(64), text: z.string().optional() });

export const MessageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPart).max(256)]),
});
export type MessageItem = z.infer<typeof MessageItem>;

/** Any other item (function calls, references, ...): recognised so it can be refused by name. */
const OtherItem = z.looseObject({ type: z.string().max(64) });
export const InputItem = z.union([MessageItem, OtherItem]);
export type InputItem = z.infer<typeof InputItem>;

const Metadata = z.record(z.string().max(64), z.string().max(512, 'metadata values are at most 512 characters'));
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const TextFormat = z.looseObject({
  type: z.enum(['text', 'json_object', 'json_schema']),
  name: z.string().max(64).optional(),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullable().optional(),
});

export const ResponseBody = z.looseObject({
  model: maybe(z.string().min(1).max(256)),
  input: maybe(z.union([z.string(), z.array(InputItem).max(2048)])),
  instructions: maybe(z.string()),
  previous_response_id: maybe(z.string().min(1).max(128)),
  conversation: maybe(z.union([z.string().min(1).max(128), z.looseObject({ id: z.string().min(1).max(128) })])),
  store: maybe(z.boolean()),
  stream: maybe(z.boolean()),
  background: maybe(z.boolean()),
  temperature: maybe(z.number().min(0).max(2)),
  top_p: maybe(z.number().min(0).max(1)),
  max_output_tokens: maybe(z.number().int().min(1)),
  text: maybe(z.looseObject({ format: TextFormat.optional() })),
  reasoning: maybe(z.looseObject({ effort: maybe(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])) })),
  tools: maybe(z.array(z.unknown()).max(128)),
  metadata: maybe(Metadata),
  user: maybe(z.string().max(256)),
  safety_identifier: maybe(z.string().max(256)),
  prompt_cache_key: maybe(z.string().max(256)),
});
export type ResponseBody = z.infer<typeof ResponseBody>;

export const CreateConversationBody = z.looseObject({
  items: maybe(z.array(InputItem).max(20, 'at most 20 items at a time')),
  metadata: maybe(Metadata),
});

export const UpdateConversationBody = z.looseObject({ metadata: Metadata });

export const AddItemsBody = z.looseObject({ items: z.array(InputItem).min(1).max(20, 'at most 20 items at a time') });

export const ListItemsQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().max(128).optional(),
});

/** A message item's role and text; any other kind of item is refused. */
export function messageOf(item: InputItem, param: string): { role: MessageItem['role']; content: string } {
  if (!('role' in item) || (item.type !== undefined && item.type !== 'message')) {
    throw invalidRequest(`input items of type "${item.type}" are not supported here; send message items (role and content)`, `${param}.type`);
  }
  // A message item that failed MessageItem's own checks matched the catch-all OtherItem: check it here.
  const parsed = MessageItem.safeParse(item);
  if (!parsed.success) throw invalidRequest('message items need a role (user, assistant, system or developer) and content (text, or a list of text parts)', param);
  const message = parsed.data;
  return { role: message.role, content: textOf(message.content, `${param}.content`) };
}

/**
 * A response's input as a turn: `instructions` plus any system/developer items make
 * the system prompt; the items after the last assistant item are the new messages
 * (as on Chat Completions, so a client that resends its history gets nothing twice).
 */
export function splitInput(body: ResponseBody): { systemPrompt: string | undefined; earlier: ClientMessage[]; newMessages: ClientMessage[] } {
  const items = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : (body.input ?? []);
  const messages = items.map((item, index) => messageOf(item, `input[${index}]`));
  const system = [body.instructions ?? '', ...messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content)].filter(Boolean);
  const conversation = messages.flatMap((m): ClientMessage[] => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, content: m.content }] : []));
  const lastAssistant = conversation.map((m) => m.role).lastIndexOf('assistant');
  return {
    systemPrompt: system.length ? system.join('\n\n') : undefined,
    earlier: conversation.slice(0, lastAssistant + 1),
    newMessages: conversation.slice(lastAssistant + 1),
  };
}

/** Responses API options in Chat Completions' terms, for the upstream. */
export function responseParams(body: ResponseBody): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of ['temperature', 'top_p', 'user', 'safety_identifier', 'prompt_cache_key'] as const) {
    if (body[field] !== undefined && body[field] !== null) params[field] = body[field];
  }
  if (body.reasoning?.effort) params.reasoning_effort = body.reasoning.effort;
  const format = body.text?.format;
  if (format?.type === 'json_object') params.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const { name = 'response', description, schema = {}, strict } = format;
    params.response_format = { type: 'json_schema', json_schema: { name, schema, ...(description ? { description } : {}), ...(typeof strict === 'boolean' ? { strict } : {}) } };
  }
  return params;
}
