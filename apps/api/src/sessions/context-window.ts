import type { MessageRole, ToolCall } from '@threadline/contracts';

export interface WindowCandidate {
  seq: number;
  role: MessageRole;
  toolCalls: ToolCall[] | null;
  toolCallId: string | null;
  tokenCount: number;
}

export interface WindowLimits {
  maxMessages: number;
  maxTokens: number;
}

/**
 * Picks what the model sees from the newest messages (DESIGN §4): the longest
 * suffix of whole blocks that fits both limits. A block is one message, or an
 * assistant message with tool calls plus all of its tool results, which are never
 * split. Orphan tool results and tool calls missing a result are left out, since
 * the upstream rejects both. The newest block is always kept, even alone over a limit,
 * so the latest question is always asked.
 *
 * @param newestFirst candidates ordered by seq descending, as the index returns them
 * @returns the window in chronological order
 */
export function selectWindow<T extends WindowCandidate>(newestFirst: readonly T[], limits: WindowLimits): T[] {
  const blocks = toBlocks([...newestFirst].reverse());
  const picked: T[][] = [];
  let messages = 0;
  let tokens = 0;
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i]!;
    const blockTokens = block.reduce((sum, m) => sum + m.tokenCount, 0);
    const fits = messages + block.length <= limits.maxMessages && tokens + blockTokens <= limits.maxTokens;
    if (!fits && picked.length > 0) break;
    picked.push(block);
    messages += block.length;
    tokens += blockTokens;
  }
  return picked.reverse().flat();
}

/** Chronological messages → complete blocks; incomplete tool exchanges are dropped. */
function toBlocks<T extends WindowCandidate>(chronological: T[]): T[][] {
  const blocks: T[][] = [];
  let open: { block: T[]; pending: Set<string> } | null = null;
  const closeOpen = () => {
    if (open && open.pending.size === 0) blocks.push(open.block);
    open = null;
  };
  for (const message of chronological) {
    if (message.role === 'tool') {
      // A result belongs to the open tool-call block; anything else is an orphan.
      if (open && message.toolCallId && open.pending.delete(message.toolCallId)) open.block.push(message);
      continue;
    }
    closeOpen();
    if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
      open = { block: [message], pending: new Set(message.toolCalls.map((c) => c.id)) };
    } else {
      blocks.push([message]);
    }
  }
  closeOpen();
  return blocks;
}
