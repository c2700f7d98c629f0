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
 * - everything up to and including that assistant message is history, which the
 *   thread already holds, so a client that resends its whole history gets nothing twice.
 */
export interface SplitMessages {
  systemPrompt: string | undefined;
  newMessages: ClientMessage[];
}

export function splitMessages(messages: ChatMessage[]): SplitMessages {
  const system: string[] = [];
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'system' || message.role === 'developer') system.push(textOf(message.content, `messages[${index}].content`));
    if (message.role === 'assistant') lastAssistant = index;
  });
  const newMessages: ClientMessage[] = [];
  messages.forEach((message, index) => {
    if (index <= lastAssistant) return;
    const param = `messages[${index}].content`;
    if (message.role === 'user') newMessages.push({ role: 'user', content: textOf(message.content, param) });
    else if (message.role === 'tool') newMessages.push({ role: 'tool', content: textOf(message.content, param), toolCallId: message.tool_call_id });
  });
  return { systemPrompt: system.length ? system.join('\n\n') : undefined, newMessages };
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

/** The text of the newest user message among the new ones (what a command would be). */
export function latestUserText(messages: ClientMessage[]): string {
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}
