import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '@api/common/clock.js';
import { newId } from '@api/common/ids.js';
import { assertCleanText, byteLength } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import type { ClientMessage, TurnResult } from '@api/chat/turn.types.js';
import { ChatModel, type ToolSpec } from '@api/llm/chat-model.port.js';
import { upstreamParams, type ChatCompletionBody } from './chat-completions.schema.js';
import { commandText, splitMessages, toModelMessages } from './client-messages.js';
import { ChunkWriter, completion, completionUsage, finishReasonOf, type CompletionHead } from './completion-format.js';
import { DirectCompletionService } from './direct-completion.service.js';
import { identityOf, threadKey, type OpenAICaller } from './openai-auth.js';
import { OpenAIError, invalidRequest, toOpenAIErrorResponse, upstreamFailure } from './openai-errors.js';
import { OpenAISse } from './sse.js';

/** What one request asks of the model, whichever way it is answered. */
interface Call {
  caller: OpenAICaller;
  body: ChatCompletionBody;
  head: CompletionHead;
  tools: ToolSpec[] | undefined;
  maxOutputTokens: number | undefined;
  params: Record<string, unknown>;
  reply: FastifyReply;
}

/** Answer text, tool calls, finish reason and usage, as both answer paths report them. */
interface Answer {
  text: string;
  toolCalls: NonNullable<TurnResult['assistant']['toolCalls']>;
  finishReason: string;
  usage: ReturnType<typeof completionUsage>;
}

/**
 * POST /v1/chat/completions. With a session (X-Session-Id, metadata.session_id or
 * user) it is a turn of that thread: the new messages are stored and the model sees
 * the stored window. Without one it is a plain proxy whose spend is still counted.
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly turns: TurnService,
    private readonly direct: DirectCompletionService,
    private readonly model: ChatModel,
  ) {}

  /** Resolves to the completion, or to undefined once a stream has been written. */
  async complete(caller: OpenAICaller, body: ChatCompletionBody, sessionId: string | null, reply: FastifyReply): Promise<object | undefined> {
    const call: Call = {
      caller,
      body,
      reply,
      head: { id: `chatcmpl-${newId().replaceAll('-', '')}`, created: Math.floor(this.clock.now().getTime() / 1000), model: this.model.resolveModel(body.model ?? undefined) },
      tools: body.tools?.length ? body.tools.map(toToolSpec) : undefined,
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      params: upstreamParams(body),
    };
    const stream = body.stream ? new LazyStream(reply, call.head, body.stream_options?.include_usage === true) : null;
    try {
      const answer = sessionId === null ? await this.proxy(call, stream) : await this.inSession(call, sessionId, stream);
      if (!stream) return completion(call.head, answer, answer.usage);
      const chunks = stream.open();
      chunks.toolCalls(answer.toolCalls);
      chunks.finish(answer.finishReason);
      chunks.usage(answer.usage);
      stream.sse!.done();
      return undefined;
    } catch (error) {
      // Before the stream opens, failures are plain HTTP errors; after, its last event.
      if (!stream?.sse) throw error;
      stream.sse.data(toOpenAIErrorResponse(error).body);
      stream.sse.end();
      return undefined;
    }
  }

  private async inSession(call: Call, sessionId: string, stream: LazyStream | null): Promise<Answer> {
    const { body, caller } = call;
    const { systemPrompt, earlier, newMessages } = splitMessages(body.messages);
    if (!newMessages.length) {
      throw invalidRequest('With a session, messages must end with a user message or tool results: they are what is added to the thread.', 'messages');
    }
    this.checkSizes([...earlier, ...newMessages]);
    const identity = identityOf(caller, threadKey.session(caller.tenant, sessionId), body.user);
    const result = await this.turns.run({
      identity,
      text: commandText(newMessages),
      participant: identity.endUserId ?? null,
      isStaff: caller.isStaff,
      client: { messages: newMessages, earlier, systemPrompt, tools: call.tools ?? this.ownTools(), model: body.model ?? undefined, maxOutputTokens: call.maxOutputTokens, params: call.params },
      sink: {
        started: ({ session }) => {
          void call.reply.header('x-threadline-session-id', session.id);
          stream?.open();
        },
        status: () => undefined,
        // A call that does not stream takes no deltas: its answer is asked for whole.
        delta: stream ? (text) => stream.open().text(text) : undefined,
      },
    });
    if (result.error) {
      const partial = result.assistant.status === 'partial';
      throw result.upstreamError ? upstreamFailure(result.upstreamError, partial) : new OpenAIError(502, result.error.message, null, result.error.code);
    }
    const toolCalls = result.assistant.toolCalls ?? [];
    return { text: result.assistant.content, toolCalls, finishReason: finishReasonOf(result.finishReason, toolCalls), usage: completionUsage(result.usage) };
  }

  private async proxy(call: Call, stream: LazyStream | null): Promise<Answer> {
    const { body, caller } = call;
    const { outcome, usage } = await this.direct.run({
      identity: identityOf(caller, '', body.user),
      messages: toModelMessages(body.messages),
      tools: call.tools,
      model: body.model ?? undefined,
      maxOutputTokens: call.maxOutputTokens,
      params: call.params,
      sink: { status: () => undefined, delta: stream ? (text) => stream.open().text(text) : undefined },
    });
    if (outcome.error) throw upstreamFailure(outcome.error, outcome.text.length > 0);
    return { text: outcome.text, toolCalls: outcome.toolCalls, finishReason: finishReasonOf(outcome.finishReason, outcome.toolCalls), usage: completionUsage(usage) };
  }

  /**
   * Threadline's own tools run on this channel only when TOOLS_OPENAI names them:
   * an OpenAI client expects the model to have the tools it sent, and no others.
   */
  private ownTools(): ToolSpec[] | undefined {
    return this.config.env.TOOLS_OPENAI ? undefined : [];
  }

  private checkSizes(messages: ClientMessage[]): void {
    const max = this.config.env.MAX_MESSAGE_BYTES;
    for (const message of messages) {
      // Answers came from a model, under its own output limit; what people and tools send is held to the message limit.
      if (message.role === 'user') assertCleanText(message.content, max);
      else if (message.role === 'tool' && byteLength(message.content) > max) throw new OpenAIError(413, `a tool result is larger than ${max} bytes`, 'messages', 'request_too_large');
    }
  }
}

function toToolSpec(tool: NonNullable<ChatCompletionBody['tools']>[number]): ToolSpec {
  const fn = tool.function;
  return {
    name: fn.name,
    description: fn.description ?? '',
    parameters: fn.parameters ?? { type: 'object', properties: {} },
    ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
  };
}

/** The SSE stream of one completion, opened by whatever happens first. */
class LazyStream {
  sse: OpenAISse | null = null;
  private chunks: ChunkWriter | null = null;

  constructor(
    private readonly reply: FastifyReply,
    private readonly head: CompletionHead,
    private readonly includeUsage: boolean,
  ) {}

  open(): ChunkWriter {
    if (!this.chunks) {
      const sse = (this.sse = new OpenAISse(this.reply));
      this.chunks = new ChunkWriter(this.head, this.includeUsage, (chunk) => sse.data(chunk));
      this.chunks.role();
    }
    return this.chunks;
  }
}
