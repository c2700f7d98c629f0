import type { z } from 'zod';
import type { ClientMessage } from '@api/chat/turn.types.js';
import type { ChatModelMessage } from '@api/llm/chat-model.port.js';
import type { ChatMessage, Content } from './chat-completions.schema.js';
import { invalidRequest } from './openai-errors.js';

const TEXT_PARTS = new Set(['text', 'input_text', 'output_text']);

/** Message content as text: text parts are joined; images, audio and files are refused, since a thread stores text. */
export function textOf(content: z.infer<typeof Content> | null | undefined, param: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (!TEXT_PARTS.has(part.type) || typeof part.text !== 'string') {
        throw invalidRequest(`content parts of type "${part.type}" are not supported; Threadline keeps text only`, `${param}[${index}]`);
      }
      return part.text;
    })
    .join('\n');
}

/**
 * How a client's `messages` meet the stored thread (README "OpenAI-compatible API"):
 * - system and developer messages become the system prompt of this call (replacing
 *   SYSTEM_PROMPT) and are not stored;
 * - the messages after the client's last assistant message are the new ones: user
 *   messages, and results of the client's tools; they are stored;
 * - everything up to and including that assistant message is the client's copy of the
 *   history. The thread already holds it, so a client that resends its whole history
 *   gets nothing twice; only a thread that holds nothing yet (new, expired, cleared) is
 *   seeded with it, so such a client never silently loses its context.
 */
export interface SplitMessages {
  systemPrompt: string | undefined;
  earlier: ClientMessage[];
  newMessages: ClientMessage[];
}

export function splitMessages(messages: ChatMessage[]): SplitMessages {
  const system: string[] = [];
  const conversation: ClientMessage[] = [];
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    const param = `messages[${index}].content`;
    if (message.role === 'system' || message.role === 'developer') system.push(textOf(message.content, param));
    else if (message.role === 'user') conversation.push({ role: 'user', content: textOf(message.content, param) });
    else if (message.role === 'tool') conversation.push({ role: 'tool', content: textOf(message.content, param), toolCallId: message.tool_call_id });
    else if (message.role === 'assistant') {
      const toolCalls = message.tool_calls?.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
      lastAssistant = conversation.push({ role: 'assistant', content: textOf(message.content, param), ...(toolCalls?.length ? { toolCalls } : {}) }) - 1;
    }
  });
  return {
    systemPrompt: system.length ? system.join('\n\n') : undefined,
    earlier: conversation.slice(0, lastAssistant + 1),
    newMessages: conversation.slice(lastAssistant + 1),
  };
}

/** The client's messages exactly as sent (a session-less call: Threadline adds nothing). */
export function toModelMessages(messages: ChatMessage[]): ChatModelMessage[] {
  return messages.map((message, index): ChatModelMessage => {
    const param = `messages[${index}].content`;
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(message.content, param) };
      case 'user':
        return { role: 'user', content: textOf(message.content, param) };
      case 'tool':
        return { role: 'tool', content: textOf(message.content, param), tool_call_id: message.tool_call_id };
      case 'assistant': {
        const content = textOf(message.content, param);
        if (!message.tool_calls?.length) return { role: 'assistant', content };
        const calls = message.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } }));
        return { role: 'assistant', content: content || null, tool_calls: calls };
      }
    }
  });
}

export function modelMessageOf(message: ClientMessage): ChatModelMessage {
  if (message.role === 'user') return { role: 'user', content: message.content };
  if (message.role === 'tool') return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
  if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
  const calls = message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
  return { role: 'assistant', content: message.content || null, tool_calls: calls };
}

/** A lone new user message may be a command (`help`, `clear session`, ...); anything else is not. */
export function commandText(messages: ClientMessage[]): string {
  return messages.length === 1 && messages[0]!.role === 'user' ? messages[0]!.content : '';
}
