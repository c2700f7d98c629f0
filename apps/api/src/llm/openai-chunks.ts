import { APIError } from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { UpstreamError, type ChatModelEvent } from './chat-model.port.js';
import type { ServerSentEvent } from './sse-decoder.js';

/**
 * Chat-completion chunks into model events, per read of the response body. Text that
 * arrived in one read is one event: it arrived at the same moment, and every event costs a
 * trip through the turn, the channel (a socket.io frame, an SSE write) and the live feed.
 */
export class ChunkReader {
  private finished = false;

  constructor(private readonly headers: Headers) {}

  /** `failure` is what broke the stream in these messages; the events before it still count. */
  read(messages: ServerSentEvent[]): { events: ChatModelEvent[]; failure?: unknown } {
    const events: ChatModelEvent[] = [];
    try {
      for (const message of messages) {
        // After [DONE] the rest is read (so the connection can be reused) but not used, as the SDK does.
        if (this.finished) continue;
        if (message.data.startsWith('[DONE]')) {
          this.finished = true;
          continue;
        }
        const chunk = JSON.parse(message.data) as (ChatCompletionChunk & { error?: object }) | null;
        // An error sent inside a stream that began well: the SDK's rule, and its error.
        if (chunk?.error) throw new APIError(undefined, chunk.error, undefined, this.headers);
        if (chunk) appendEvents(chunk, events);
      }
    } catch (failure) {
      return { events, failure };
    }
    return { events };
  }
}

function appendEvents(chunk: ChatCompletionChunk, events: ChatModelEvent[]): void {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta;
    if (delta?.content) {
      const last = events.at(-1);
      if (last?.type === 'text') last.text += delta.content;
      else events.push({ type: 'text', text: delta.content });
    }
    for (const call of delta?.tool_calls ?? []) {
      events.push({ type: 'tool_call', index: call.index, id: call.id, name: call.function?.name, argumentsDelta: call.function?.arguments });
    }
    if (choice.finish_reason) events.push({ type: 'finish', reason: choice.finish_reason });
  }
  if (chunk.usage) events.push(usageEvent(chunk.usage));
}

/**
 * A completion asked for whole (`streamed: false`) as the events a stream of it would give:
 * its text in one event, each tool call whole, the finish and the usage.
 */
export function completionEvents(completion: ChatCompletion & { error?: object }, headers: Headers): ChatModelEvent[] {
  // An error in a 200 body: the same as one sent inside a stream.
  if (completion?.error) throw new APIError(undefined, completion.error, undefined, headers);
  if (!Array.isArray(completion?.choices)) throw new UpstreamError('bad_response', 'the model provider sent an answer without choices');
  const events: ChatModelEvent[] = [];
  for (const choice of completion.choices) {
    const message = choice.message;
    if (message?.content) events.push({ type: 'text', text: message.content });
    for (const [index, call] of (message?.tool_calls ?? []).entries()) {
      if (call.type === 'function') events.push({ type: 'tool_call', index, id: call.id, name: call.function.name, argumentsDelta: call.function.arguments });
    }
    if (choice.finish_reason) events.push({ type: 'finish', reason: choice.finish_reason });
  }
  if (completion.usage) events.push(usageEvent(completion.usage));
  return events;
}

function usageEvent(usage: CompletionUsage): ChatModelEvent {
  return {
    type: 'usage',
    usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
  };
}
