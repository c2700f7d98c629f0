import type { ToolCall, Usage } from '@threadline/contracts';
import { copyWith } from '@api/common/copy-with.js';

/** The pieces of one Chat Completions answer that every chunk repeats. */
export interface CompletionHead {
  id: string;
  created: number;
  model: string;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export function completionUsage(usage: Pick<Usage, 'promptTokens' | 'completionTokens' | 'cachedTokens'> | null): CompletionUsage {
  const prompt = usage?.promptTokens ?? 0;
  const completion = usage?.completionTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function wireToolCalls(calls: ToolCall[]) {
  return calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
}

/** OpenAI's finish reasons; a tool round whose calls were dropped finished like any answer. */
export function finishReasonOf(reason: string | null | undefined, toolCalls: ToolCall[]): string {
  if (toolCalls.length) return 'tool_calls';
  if (reason === 'length' || reason === 'content_filter') return reason;
  return 'stop';
}

export function completion(head: CompletionHead, answer: { text: string; toolCalls: ToolCall[]; finishReason: string }, usage: CompletionUsage) {
  return {
    id: head.id,
    object: 'chat.completion' as const,
    created: head.created,
    model: head.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: answer.toolCalls.length && !answer.text ? null : answer.text,
          refusal: null,
          annotations: [],
          ...(answer.toolCalls.length ? { tool_calls: wireToolCalls(answer.toolCalls) } : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage,
    service_tier: 'default',
    system_fingerprint: null,
  };
}

/**
 * Chunks of a streamed answer. With `stream_options.include_usage` every chunk carries
 * `usage: null` and a last chunk with no choices carries the usage, as OpenAI does.
 */
export class ChunkWriter {
  constructor(
    private readonly head: CompletionHead,
    private readonly includeUsage: boolean,
    private readonly send: (chunk: unknown) => void,
  ) {}

  role(): void {
    this.choice({ role: 'assistant', content: '', refusal: null }, null);
  }

  text(text: string): void {
    this.choice({ content: text }, null);
  }

  toolCalls(calls: ToolCall[]): void {
    if (calls.length) this.choice({ tool_calls: wireToolCalls(calls).map((call, index) => ({ index, ...call })) }, null);
  }

  finish(reason: string): void {
    this.choice({}, reason);
  }

  usage(usage: CompletionUsage): void {
    if (this.includeUsage) this.send(copyWith(this.base(), { choices: [], usage }));
  }

  private choice(delta: Record<string, unknown>, finishReason: string | null): void {
    this.send({ ...this.base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(this.includeUsage ? { usage: null } : {}) });
  }

  private base() {
    return { id: this.head.id, object: 'chat.completion.chunk', created: this.head.created, model: this.head.model, service_tier: 'default', system_fingerprint: null };
  }
}
