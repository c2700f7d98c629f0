import type { MessageRow } from '@api/sessions/session.types.js';
import { prefixedId, uuidOf } from './openai-auth.js';

/*
 * A thread's messages as Conversations API items. Ids are derived from the message's
 * UUID, so they are stable and lead back to it: `msg_…` for a message, `fc_…_<n>` for
 * the n-th tool call of an assistant message, `fco_…` for a tool result. An answer
 * given through /v1/responses keeps the id the response gave it.
 */

export type ConversationItem =
  | { type: 'message'; id: string; status: 'completed' | 'incomplete'; role: 'user' | 'assistant'; content: Array<Record<string, unknown>> }
  | { type: 'function_call'; id: string; status: 'completed'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; id: string; status: 'completed'; call_id: string; output: string };

export function itemsOf(row: MessageRow, outputItemIds: ReadonlyMap<string, string>): ConversationItem[] {
  if (row.role === 'tool') return [{ type: 'function_call_output', id: prefixedId('fco', row.id), status: 'completed', call_id: row.tool_call_id ?? '', output: row.content }];
  if (row.role === 'user') return [{ type: 'message', id: prefixedId('msg', row.id), status: 'completed', role: 'user', content: [{ type: 'input_text', text: row.content }] }];
  const items: ConversationItem[] = [];
  if (row.content || !row.tool_calls?.length) {
    items.push({
      type: 'message',
      id: outputItemIds.get(row.id) ?? prefixedId('msg', row.id),
      status: row.status === 'complete' ? 'completed' : 'incomplete',
      role: 'assistant',
      content: [{ type: 'output_text', text: row.content, annotations: [], logprobs: [] }],
    });
  }
  for (const [index, call] of (row.tool_calls ?? []).entries()) {
    items.push({ type: 'function_call', id: `${prefixedId('fc', row.id)}_${index}`, status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return items;
}

/** The message UUID an item id names, when it names one directly. */
export function messageIdOfItem(itemId: string): string | null {
  for (const prefix of ['msg', 'fc', 'fco']) {
    const uuid = uuidOf(itemId, prefix);
    if (uuid) return uuid;
  }
  return null;
}
