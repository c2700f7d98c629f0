import type { Usage } from '@threadline/contracts';
import type { ResponseBody } from './responses.schema.js';
import type { OpenAISse } from './sse.js';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Everything a Response object is made from. */
export interface ResponseState {
  id: string;
  createdAt: number;
  model: string;
  status: ResponseStatus;
  outputItemId: string;
  text: string;
  usage: Usage | null;
  error: { code: string; message: string } | null;
  incompleteReason: 'max_output_tokens' | 'content_filter' | null;
  conversationId: string | null;
  store: boolean;
  request: ResponseBody;
}

export function outputMessage(state: Pick<ResponseState, 'outputItemId' | 'text'>, status: 'in_progress' | 'completed' | 'incomplete') {
  return { id: state.outputItemId, type: 'message' as const, status, role: 'assistant' as const, content: [outputText(state.text)] };
}

function outputText(text: string) {
  return { type: 'output_text' as const, text, annotations: [], logprobs: [] };
}

function itemStatus(state: ResponseState): 'in_progress' | 'completed' | 'incomplete' {
  return state.status === 'completed' ? 'completed' : state.status === 'in_progress' ? 'in_progress' : 'incomplete';
}

/** OpenAI's Response object. */
export function responseObject(state: ResponseState) {
  const { request, usage } = state;
  const hasOutput = state.status === 'completed' || state.status === 'incomplete' || state.text.length > 0;
  return {
    id: state.id,
    object: 'response' as const,
    created_at: state.createdAt,
    status: state.status,
    background: false,
    error: state.error,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    model: state.model,
    output: hasOutput ? [outputMessage(state, itemStatus(state))] : [],
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    conversation: state.conversationId ? { id: state.conversationId } : null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: 'default',
    store: state.store,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: usage
      ? {
          input_tokens: usage.promptTokens,
          input_tokens_details: { cached_tokens: usage.cachedTokens },
          output_tokens: usage.completionTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.promptTokens + usage.completionTokens,
        }
      : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/**
 * A streamed response's events, in the order OpenAI sends them (and the SDKs'
 * accumulators expect): created, in_progress, the output message and its text part,
 * text deltas, the matching `done` events, then completed / incomplete / failed.
 */
export class ResponseEvents {
  private sequence = 0;
  private started = false;

  constructor(
    private readonly sse: OpenAISse,
    private readonly state: ResponseState,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.emit('response.created', { response: responseObject(this.state) });
    this.emit('response.in_progress', { response: responseObject(this.state) });
    this.emit('response.output_item.added', { output_index: 0, item: outputMessage({ ...this.state, text: '' }, 'in_progress') });
    this.emit('response.content_part.added', { item_id: this.state.outputItemId, output_index: 0, content_index: 0, part: outputText('') });
  }

  delta(text: string): void {
    this.start();
    this.emit('response.output_text.delta', { item_id: this.state.outputItemId, output_index: 0, content_index: 0, delta: text, logprobs: [] });
  }

  /** The final events for the state's (finished) status, then the end of the stream. */
  finish(): void {
    this.start();
    const { state } = this;
    if (state.status !== 'failed') {
      const part = { item_id: state.outputItemId, output_index: 0, content_index: 0 };
      this.emit('response.output_text.done', { ...part, text: state.text, logprobs: [] });
      this.emit('response.content_part.done', { ...part, part: outputText(state.text) });
      this.emit('response.output_item.done', { output_index: 0, item: outputMessage(state, itemStatus(state)) });
    }
    this.emit(`response.${state.status === 'in_progress' ? 'completed' : state.status}`, { response: responseObject(state) });
    this.sse.end();
  }

  private emit(type: string, payload: Record<string, unknown>): void {
    this.sse.event(type, { type, sequence_number: this.sequence++, ...payload });
  }
}
