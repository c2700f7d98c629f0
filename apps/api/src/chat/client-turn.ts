import type { MessageRow, NewMessage } from '@api/sessions/session.types.js';
import { estimateMessageTokens } from '@api/usage/token-counter.js';
import type { ClientMessage } from './turn.types.js';

/**
 * How many of a client's new messages are already stored: the longest run of the
 * thread's unanswered tail (messages after its newest assistant message) that the
 * client's messages begin with. A client retrying after a failed answer resends what
 * it sent before; storing it again would show the model the question twice.
 *
 * @param newestFirst the thread's newest messages, newest first (error answers excluded)
 */
export function alreadyStored(newestFirst: readonly MessageRow[], messages: readonly ClientMessage[]): number {
  const tail: MessageRow[] = [];
  for (const row of newestFirst) {
    if (row.role === 'assistant') break;
    tail.unshift(row);
  }
  for (let overlap = Math.min(tail.length, messages.length); overlap > 0; overlap--) {
    const stored = tail.slice(tail.length - overlap);
    if (stored.every((row, i) => sameMessage(row, messages[i]!))) return overlap;
  }
  return 0;
}

function sameMessage(row: MessageRow, message: ClientMessage): boolean {
  if (row.role !== message.role || row.content !== message.content) return false;
  return message.role !== 'tool' || row.tool_call_id === message.toolCallId;
}

export function toNewMessage(message: ClientMessage, participant: string | null, apiKeyId: string | null): NewMessage {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', content: message.content, toolCallId: message.toolCallId, tokenCount: estimateMessageTokens(message.content) };
    case 'assistant': {
      const toolCalls = message.toolCalls?.length ? message.toolCalls : null;
      return { role: 'assistant', content: message.content, toolCalls, tokenCount: estimateMessageTokens(message.content, toolCalls) };
    }
    case 'user':
      return { role: 'user', content: message.content, participant, tokenCount: estimateMessageTokens(message.content), apiKeyId };
  }
}
