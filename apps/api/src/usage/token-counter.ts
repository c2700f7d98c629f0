import { countTokens } from 'gpt-tokenizer';
import type { ToolCall } from '@threadline/contracts';

/** Every chat message costs a few tokens of framing on top of its text. */
const PER_MESSAGE_OVERHEAD = 4;

/** Local estimate (o200k) of what a message costs in the window; the upstream's usage is the record. */
export function estimateMessageTokens(content: string, toolCalls?: ToolCall[] | null): number {
  let tokens = PER_MESSAGE_OVERHEAD + (content ? countTokens(content) : 0);
  for (const call of toolCalls ?? []) tokens += countTokens(call.name) + countTokens(call.arguments) + 3;
  return tokens;
}

export function estimateTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}
