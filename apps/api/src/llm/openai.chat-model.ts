import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import OpenAI, { OpenAIError, type ClientOptions } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { ChatModel, UpstreamError, untilSendable, type ChatModelEvent, type ChatModelRequest, type ModelInfo } from './chat-model.port.js';
import { ChunkReader, completionEvents } from './openai-chunks.js';
import { createNodeHttpFetch, type GatedRequestInit, type NodeHttpFetch } from './node-http-fetch.js';
import { SseDecoder } from './sse-decoder.js';

export interface OpenAIChatModelOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** longest silence allowed between two chunks (and before the first) */
  idleTimeoutMs: number;
  /** longest wait for an answer asked for whole (a request with `streamed: false`) */
  answerTimeoutMs: number;
  /** auto: answers nobody watches are asked for whole (the default); always: every answer streams. */
  stream?: 'auto' | 'always';
  /** node: our keep-alive client on node:http (the default); fetch: the global fetch. */
  httpClient?: 'node' | 'fetch';
}

/** Any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio) through the official SDK. */
export class OpenAIChatModel extends ChatModel implements OnApplicationShutdown {
  readonly mode = 'openai' as const;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly nodeHttpFetch: NodeHttpFetch | null;

  constructor(private readonly options: OpenAIChatModelOptions) {
    super();
    this.model = options.model;
    // Retries are the turn pipeline's: it knows whether text already reached the user.
    const logger = new Logger('openai');
    this.nodeHttpFetch = options.httpClient === 'fetch' ? null : createNodeHttpFetch();
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.idleTimeoutMs * 4,
      // The SDK's own diagnostics go through our logger, not straight to the console.
      logLevel: 'warn',
      logger: { error: (m: string) => logger.warn(m), warn: (m: string) => logger.warn(m), info: () => undefined, debug: () => undefined },
      ...(this.nodeHttpFetch ? { fetch: this.nodeHttpFetch } : {}),
    });
  }

  // Not onModuleDestroy: that runs before the shutdown drain, and would cut the answers it waits for.
  onApplicationShutdown(): void {
    this.nodeHttpFetch?.close();
  }

  async *stream(request: ChatModelRequest): AsyncIterable<ChatModelEvent> {
    const whole = request.streamed === false && this.options.stream !== 'always';
    // A stream may be silent this long between two chunks; a whole answer, this long in all.
    const timeoutMs = whole ? this.options.answerTimeoutMs : this.options.idleTimeoutMs;
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort();
    request.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timedOut = false;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    // One timer pushed back per chunk (refresh), not a new one each time: this runs per token.
    // It starts when the request may leave: the wait for the gate is not the upstream's silence.
    const startIdle = () => {
      if (!done) idle = setTimeout(() => ((timedOut = true), abort.abort()), timeoutMs);
    };
    if (request.sendAfter) void request.sendAfter.then(startIdle);
    else startIdle();
    try {
      // Our node:http client holds the built request until the gate opens (the SDK's work
      // overlaps the wait); the global fetch cannot, so the SDK starts only then.
      const fetchOptions = request.sendAfter && this.nodeHttpFetch ? gatedFetchOptions(request.sendAfter) : undefined;
      if (request.sendAfter && !fetchOptions) await untilSendable(request, abort.signal);
      // The SDK makes the request (auth, base URL, errors of a non-2xx answer); the body is
      // read here, a stream by a decoder cheaper per token than the SDK's (see SseDecoder).
      const response = await this.client.chat.completions
        .create(this.body(request, whole), {
          signal: abort.signal,
          // A whole answer's head comes only once it is written: the SDK's own bound must not be the shorter.
          ...(whole ? { timeout: timeoutMs } : {}),
          ...(fetchOptions ? { fetchOptions } : {}),
        })
        .asResponse();
      if (whole) {
        const completion = (await response.json()) as ChatCompletion;
        abort.signal.throwIfAborted();
        yield* completionEvents(completion, response.headers);
        return;
      }
      if (!response.body) throw new OpenAIError('the model provider answered a stream without a body');
      const decoder = new SseDecoder();
      const reader = new ChunkReader(response.headers);
      for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
        const messages = decoder.write(bytes);
        if (messages.length === 0) continue;
        idle?.refresh();
        const { events, failure } = reader.read(messages);
        yield* events;
        if (failure !== undefined) throw failure;
      }
      // A body cut by our abort may end without an error: a stall or the caller's abort would
      // otherwise pass for the whole answer. The catch below says which it was.
      abort.signal.throwIfAborted();
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw toUpstreamError(error, timedOut, timeoutMs, this.options.apiKey);
    } finally {
      done = true;
      clearTimeout(idle);
      request.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  private body(request: ChatModelRequest, whole: boolean): ChatCompletionCreateParams {
    return {
      ...(request.params as object | undefined),
      model: request.model ?? this.model,
      messages: request.messages,
      ...(whole ? { stream: false } : { stream: true, stream_options: { include_usage: true } }),
      ...(request.maxOutputTokens ? { max_completion_tokens: request.maxOutputTokens } : {}),
      ...(request.tools?.length ? { tools: request.tools.map((t) => ({ type: 'function' as const, function: t })) } : {}),
    };
  }

  override async listModels(): Promise<ModelInfo[]> {
    try {
      const models: ModelInfo[] = [];
      for await (const model of this.client.models.list({ timeout: this.options.idleTimeoutMs })) {
        models.push({ id: model.id, object: 'model', created: model.created ?? 0, owned_by: model.owned_by ?? 'unknown' });
        if (models.length >= 1000) break;
      }
      return models;
    } catch (error) {
      throw toUpstreamError(error, false, this.options.idleTimeoutMs, this.options.apiKey);
    }
  }
}

/** The SDK spreads fetchOptions into what it hands our fetch, unknown fields included; its type only knows fetch's own. */
function gatedFetchOptions(sendAfter: Promise<void>): ClientOptions['fetchOptions'] {
  const init: Pick<GatedRequestInit, 'sendAfter'> = { sendAfter };
  return init as unknown as ClientOptions['fetchOptions'];
}

// Classified by status and shape, not instanceof: under test runners the SDK's error
// classes and fetch's may come from different realms.
function toUpstreamError(error: unknown, timedOut: boolean, timeoutMs: number, apiKey: string): UpstreamError {
  if (timedOut) return new UpstreamError('timeout', `the model did not answer within ${timeoutMs} ms`);
  if (error instanceof UpstreamError) return error;
  const e = error as { status?: number; headers?: HeaderSource; message?: string; name?: string; error?: { message?: unknown } };
  const status = typeof e?.status === 'number' ? e.status : null;
  if (status === 429) return new UpstreamError('rate_limited', 'the model provider is rate limiting requests', 429, retryAfterMs(e.headers));
  if (status !== null && status >= 500) return new UpstreamError('server', `the model provider failed (HTTP ${status})`, status, retryAfterMs(e.headers));
  if (status === 408) return new UpstreamError('timeout', 'the model provider timed out', status);
  if (status !== null) {
    // The provider's words reach the client; a provider that quotes the operator's key back must not hand it out.
    const detail = [400, 404, 422].includes(status) && typeof e.error?.message === 'string' ? (apiKey ? e.error.message.replaceAll(apiKey, '[redacted]') : e.error.message).slice(0, 500) : null;
    return new UpstreamError('rejected', `the model provider refused the request (HTTP ${status})`, status, null, detail);
  }
  if (e?.name === 'SyntaxError' || /JSON|parse/i.test(e?.message ?? '')) return new UpstreamError('bad_response', 'the model provider sent an unreadable answer');
  if (/timed? ?out/i.test(e?.message ?? '') || e?.name?.includes('Timeout')) return new UpstreamError('timeout', 'the model provider timed out');
  return new UpstreamError('network', 'could not reach the model provider');
}

/** A Headers from fetch, or the node client's read-only look-alike. */
type HeaderSource = { get(name: string): string | null } | undefined;

function retryAfterMs(headers: HeaderSource): number | null {
  const raw = headers?.get('retry-after') ?? null;
  if (raw === null || raw === undefined) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
