export type ChatModelMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> }
  | { role: 'tool'; content: string; tool_call_id: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments */
  parameters: Record<string, unknown>;
  /** OpenAI's strict schema adherence, when a client asks for it */
  strict?: boolean;
}

export interface ChatModelRequest {
  messages: ChatModelMessage[];
  tools?: ToolSpec[];
  signal?: AbortSignal;
  maxOutputTokens?: number;
  /** the upstream model for this call (default: the configured one) */
  model?: string;
  /**
   * Further upstream request fields (temperature, stop, tool_choice, ...), already
   * checked by the caller; the fields this port sets itself always win.
   */
  params?: Record<string, unknown>;
  /**
   * Nothing may reach the upstream before this resolves; the call may be prepared
   * meanwhile. A turn sets it to ask the model while its user message is still being
   * committed (the message is durable before the model hears of it). It never rejects:
   * a turn that gives up on the call aborts `signal`.
   */
  sendAfter?: Promise<void>;
  /**
   * false: nobody sees the answer before it is whole (a plain REST reply, no staff
   * watching). The adapter may then ask for it in one piece, which costs both ends far
   * less than a stream of chunks (one per token from a real model). The events are the
   * same, the text in one event. Default true.
   */
  streamed?: boolean;
}

/**
 * Resolves once the request may go out (see `sendAfter`); rejects with the abort reason
 * when `signal` aborts first, so a call given up on never waits on a gate that will not open.
 */
export function untilSendable(request: ChatModelRequest, signal = request.signal): Promise<void> {
  const gate = request.sendAfter;
  if (!gate) return Promise.resolve();
  if (!signal) return gate;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void gate.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** One entry of the upstream's model list, in OpenAI's shape. */
export interface ModelInfo {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface UpstreamUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export type ChatModelEvent =
  | { type: 'text'; text: string }
  /** pieces of one tool call, keyed by index, as the upstream streams them */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'usage'; usage: UpstreamUsage }
  | { type: 'finish'; reason: string };

export type UpstreamFailure = 'rate_limited' | 'server' | 'timeout' | 'network' | 'bad_response' | 'rejected';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly kind: UpstreamFailure,
    message: string,
    readonly status: number | null = null,
    /** from Retry-After, when the upstream gave one */
    readonly retryAfterMs: number | null = null,
    /**
     * The upstream's own words when it refused a request (HTTP 400/404/422): meant for
     * callers who shaped the request themselves (the OpenAI-compatible channel), never
     * shown on chat channels.
     */
    readonly detail: string | null = null,
  ) {
    super(message);
  }

  /** 429, 5xx, timeouts and broken connections are worth another try; a 4xx refusal is not. */
  get retryable(): boolean {
    return this.kind !== 'rejected';
  }
}

/** The model behind every turn: OpenAI-compatible upstream or the offline simulation. */
export abstract class ChatModel {
  abstract readonly model: string;
  abstract readonly mode: 'openai' | 'simulated';
  abstract stream(request: ChatModelRequest): AsyncIterable<ChatModelEvent>;

  /** The model a call asking for `requested` is answered (and priced) by. */
  resolveModel(requested?: string): string {
    return requested ?? this.model;
  }

  /** What the upstream offers (GET /v1/models). */
  async listModels(): Promise<ModelInfo[]> {
    return [{ id: this.model, object: 'model', created: 0, owned_by: 'threadline' }];
  }
}
