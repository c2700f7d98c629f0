import { estimateTextTokens } from '@api/usage/token-counter.js';
import { ChatModel, untilSendable, type ChatModelEvent, type ChatModelMessage, type ChatModelRequest } from './chat-model.port.js';

/**
 * The offline default when no OPENAI_API_KEY is set: deterministic, streams word by
 * word (or answers at once when nobody watches the stream), and says plainly what it is
 * and how much context it was given, so memory, trimming and clearing can be seen
 * working without a provider.
 */
export class SimulatedChatModel extends ChatModel {
  readonly mode = 'simulated' as const;
  readonly model = 'simulated';

  constructor(private readonly wordDelayMs = 0) {
    super();
  }

  /** Whatever a client asks for, the simulation answers. */
  override resolveModel(): string {
    return this.model;
  }

  async *stream(request: ChatModelRequest): AsyncIterable<ChatModelEvent> {
    await untilSendable(request);
    const text = composeReply(request.messages);
    // An answer nobody watches stream is given whole, at once, as an upstream asked for it whole would.
    const whole = request.streamed === false;
    const delayMs = whole ? 0 : this.wordDelayMs;
    for (const piece of whole ? [text] : (text.match(/\S+\s*/g) ?? [])) {
      if (request.signal?.aborted) throw new Error('aborted');
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      yield { type: 'text', text: piece };
    }
    yield { type: 'finish', reason: 'stop' };
    const promptTokens = request.messages.reduce((n, m) => n + 4 + estimateTextTokens(typeof m.content === 'string' ? m.content : ''), 0);
    yield { type: 'usage', usage: { promptTokens, completionTokens: estimateTextTokens(text), cachedTokens: 0 } };
  }
}

export function composeReply(messages: ChatModelMessage[]): string {
  const conversation = messages.filter((m) => m.role !== 'system');
  const users = conversation.filter((m) => m.role === 'user').map((m) => m.content as string);
  const latest = users.at(-1) ?? '';
  if (messages[0]?.role === 'system' && /^Summarise/i.test(messages[0].content)) {
    return `Earlier the user said: ${users.map((u) => `"${clip(u, 60)}"`).join('; ') || 'nothing'}.`;
  }
  const parts = [
    `[Simulated model: no OPENAI_API_KEY is set.] I received ${conversation.length} context message${conversation.length === 1 ? '' : 's'}.`,
  ];
  const name = [...users].reverse().map((u) => /\bmy name is ([\p{L}'-]+)/iu.exec(u)?.[1]).find(Boolean);
  if (name && /\bmy name\b|\bwho am i\b/i.test(latest) && !/\bmy name is\b/i.test(latest)) parts.push(`Your name is ${name}.`);
  else if (users.length > 1) parts.push(`Earlier you said: "${clip(users[0]!, 80)}".`);
  parts.push(`You said: "${clip(latest, 200)}".`);
  return parts.join(' ');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
