import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '@api/common/clock.js';
import { newId } from '@api/common/ids.js';
import { assertCleanText } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import type { ClientMessage } from '@api/chat/turn.types.js';
import { ChatModel, type ChatModelMessage, type UpstreamError } from '@api/llm/chat-model.port.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { WindowService } from '@api/sessions/window.service.js';
import { commandText, modelMessageOf } from './client-messages.js';
import { ConversationsService } from './conversations.service.js';
import { DirectCompletionService } from './direct-completion.service.js';
import { identityOf, prefixedId, sessionIdOf, threadKey, type OpenAICaller } from './openai-auth.js';
import { OpenAICompatRepository } from './openai-compat.repository.js';
import { OpenAIError, invalidRequest, notFound, toOpenAIErrorResponse, upstreamFailure } from './openai-errors.js';
import { ResponseEvents, responseObject, type ResponseState } from './response-format.js';
import { responseParams, splitInput, type ResponseBody } from './responses.schema.js';
import { OpenAISse } from './sse.js';

/** Where a response's conversation state comes from, and whether it goes back there. */
interface Thread {
  /** the thread's session key; null: no thread at all (a plain proxy call) */
  key: string | null;
  conversationId: string | null;
}

/**
 * The Responses API on Threadline threads (README "OpenAI-compatible API"):
 * - `conversation` continues that conversation's thread;
 * - `previous_response_id` continues the thread that response was stored in, so a
 *   chain of responses is one thread (and forks of a chain share it);
 * - otherwise X-Session-Id / metadata.session_id name a thread shared with Chat
 *   Completions, and without them a stored response starts a thread of its own;
 * - `store: false` reads that context but writes nothing (no thread messages, no
 *   response to retrieve); the spend is counted either way.
 */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly turns: TurnService,
    private readonly direct: DirectCompletionService,
    private readonly model: ChatModel,
    private readonly repo: OpenAICompatRepository,
    private readonly conversations: ConversationsService,
    private readonly sessions: SessionsService,
    private readonly window: WindowService,
  ) {}

  /** Resolves to the response, or to undefined once a stream has been written. */
  async create(caller: OpenAICaller, body: ResponseBody, sessionHeader: string | string[] | undefined, reply: FastifyReply): Promise<object | undefined> {
    if (body.tools?.length) throw invalidRequest('Tools are not supported on /v1/responses here; define function tools on /v1/chat/completions, which passes them through.', 'tools');
    if (body.background) throw invalidRequest('Background responses are not supported.', 'background');
    if (body.conversation && body.previous_response_id) throw invalidRequest("Use either 'conversation' or 'previous_response_id', not both.", 'previous_response_id');
    const { systemPrompt, earlier, newMessages } = splitInput(body);
    if (!newMessages.length) throw invalidRequest('input must end with at least one user message (items after the last assistant item are the new ones).', 'input');
    for (const message of [...earlier, ...newMessages]) if (message.role === 'user') assertCleanText(message.content, this.config.env.MAX_MESSAGE_BYTES, 'input');
    const store = body.store ?? true;
    const id = prefixedId('resp', newId());
    const thread = await this.threadOf(caller, body, sessionHeader, store ? id : null);
    const state: ResponseState = {
      id,
      createdAt: Math.floor(this.clock.now().getTime() / 1000),
      model: this.model.resolveModel(body.model ?? undefined),
      status: 'in_progress',
      outputItemId: prefixedId('msg', newId()),
      text: '',
      usage: null,
      error: null,
      incompleteReason: null,
      conversationId: thread.conversationId,
      store,
      request: body,
    };
    const stream = body.stream ? new LazyEvents(reply, state) : null;
    try {
      const failure = store && thread.key ? await this.inThread(caller, body, state, thread.key, { systemPrompt, earlier, newMessages }, stream) : await this.readOnly(caller, body, state, thread.key, { systemPrompt, earlier, newMessages }, stream);
      if (failure && !stream?.started) throw failure;
      if (!stream) return responseObject(state);
      stream.open().finish();
      return undefined;
    } catch (error) {
      if (!stream?.started) throw error;
      state.status = 'failed';
      state.error = { code: 'server_error', message: toOpenAIErrorResponse(error).body.error.message };
      stream.open().finish();
      return undefined;
    }
  }

  async retrieve(caller: OpenAICaller, id: string): Promise<Record<string, unknown>> {
    const row = await this.repo.findResponse(caller.tenant, id);
    if (!row) throw notFound(`Response with id '${id}' not found.`);
    return row.body;
  }

  async delete(caller: OpenAICaller, id: string) {
    if (!(await this.repo.deleteResponse(caller.tenant, id))) throw notFound(`Response with id '${id}' not found.`);
    return { id, object: 'response' as const, deleted: true };
  }

  private async threadOf(caller: OpenAICaller, body: ResponseBody, sessionHeader: string | string[] | undefined, storedId: string | null): Promise<Thread> {
    if (body.conversation) {
      const id = typeof body.conversation === 'string' ? body.conversation : body.conversation.id;
      const conversation = await this.conversations.find(caller, id, 'conversation');
      return { key: conversation.session_key, conversationId: conversation.id };
    }
    if (body.previous_response_id) {
      const previous = await this.repo.findResponse(caller.tenant, body.previous_response_id);
      if (!previous?.session_key) throw notFound(`Previous response with id '${body.previous_response_id}' not found.`, 'previous_response_id');
      return { key: previous.session_key, conversationId: null };
    }
    // `user` is not a session here: Responses clients send it for abuse monitoring, not to share a thread.
    const sessionId = sessionIdOf(sessionHeader, body.metadata, null);
    if (sessionId) return { key: threadKey.session(caller.tenant, sessionId), conversationId: null };
    return { key: storedId ? threadKey.chain(caller.tenant, storedId) : null, conversationId: null };
  }

  /** A stored response: a turn of its thread, then the response row. */
  private async inThread(
    caller: OpenAICaller,
    body: ResponseBody,
    state: ResponseState,
    key: string,
    input: { systemPrompt: string | undefined; earlier: ClientMessage[]; newMessages: ClientMessage[] },
    stream: LazyEvents | null,
  ): Promise<OpenAIError | null> {
    const identity = identityOf(caller, key, body.safety_identifier ?? body.user);
    const result = await this.turns.run({
      identity,
      text: commandText(input.newMessages),
      participant: identity.endUserId ?? null,
      isStaff: caller.isStaff,
      client: {
        messages: input.newMessages,
        earlier: input.earlier,
        systemPrompt: input.systemPrompt,
        tools: this.config.env.TOOLS_OPENAI ? undefined : [],
        model: body.model ?? undefined,
        maxOutputTokens: body.max_output_tokens ?? undefined,
        params: responseParams(body),
      },
      sink: {
        started: () => void stream?.open(),
        status: () => undefined,
        // A call that does not stream takes no deltas: its answer is asked for whole.
        delta: stream ? (text) => stream.open().delta(text) : undefined,
      },
    });
    state.text = result.assistant.content;
    state.model = result.model ?? state.model;
    state.usage = result.usage;
    if (result.error) return this.fail(state, result.upstreamError ?? null, result.error.message);
    this.settle(state, result.finishReason);
    await this.repo.saveResponse({
      id: state.id,
      tenant: caller.tenant,
      apiKeyId: caller.apiKeyId,
      sessionKey: key,
      conversationId: state.conversationId,
      // A command's answer is not stored as a message, so there is nothing to point at.
      assistantMessageId: result.command ? null : result.assistant.id,
      outputItemId: state.outputItemId,
      body: responseObject(state),
      createdAt: new Date(state.createdAt * 1000),
    });
    return null;
  }

  /** `store: false`, or no thread at all: one model call over the thread's window (if any), nothing written. */
  private async readOnly(
    caller: OpenAICaller,
    body: ResponseBody,
    state: ResponseState,
    key: string | null,
    input: { systemPrompt: string | undefined; earlier: ClientMessage[]; newMessages: ClientMessage[] },
    stream: LazyEvents | null,
  ): Promise<OpenAIError | null> {
    const context = await this.contextOf(key, input);
    const { outcome, usage, model } = await this.direct.run({
      identity: identityOf(caller, key ?? '', body.safety_identifier ?? body.user),
      messages: [...context, ...input.newMessages.map(modelMessageOf)],
      model: body.model ?? undefined,
      maxOutputTokens: body.max_output_tokens ?? undefined,
      params: responseParams(body),
      sink: { status: () => undefined, delta: stream ? (text) => stream.open().delta(text) : undefined },
    });
    state.text = outcome.text;
    state.model = model;
    state.usage = usage;
    if (outcome.error) return this.fail(state, outcome.error, outcome.error.message);
    this.settle(state, outcome.finishReason);
    return null;
  }

  /**
   * The thread's current window; without a thread (yet), the client's own earlier
   * items, after the instructions (or, for a thread that would be, the system prompt).
   */
  private async contextOf(key: string | null, input: { systemPrompt: string | undefined; earlier: ClientMessage[] }): Promise<ChatModelMessage[]> {
    const session = key ? await this.sessions.currentOf('openai', key) : null;
    if (session) return (await this.window.build(session, input.systemPrompt)).messages;
    const systemPrompt = input.systemPrompt ?? (key ? this.config.env.SYSTEM_PROMPT : undefined);
    return [...(systemPrompt ? [{ role: 'system' as const, content: systemPrompt }] : []), ...input.earlier.map(modelMessageOf)];
  }

  private settle(state: ResponseState, finishReason: string | null | undefined): void {
    const incomplete = finishReason === 'length' ? 'max_output_tokens' : finishReason === 'content_filter' ? 'content_filter' : null;
    state.status = incomplete ? 'incomplete' : 'completed';
    state.incompleteReason = incomplete;
  }

  private fail(state: ResponseState, upstream: UpstreamError | null, message: string): OpenAIError {
    const error = upstream ? upstreamFailure(upstream, state.text.length > 0) : new OpenAIError(502, message, null, 'upstream_error');
    state.status = 'failed';
    state.error = { code: 'server_error', message: error.message };
    return error;
  }
}

/** The event stream of one response, opened by whatever happens first. */
class LazyEvents {
  private events: ResponseEvents | null = null;

  constructor(
    private readonly reply: FastifyReply,
    private readonly state: ResponseState,
  ) {}

  get started(): boolean {
    return this.events !== null;
  }

  open(): ResponseEvents {
    if (!this.events) {
      this.events = new ResponseEvents(new OpenAISse(this.reply), this.state);
      this.events.start();
    }
    return this.events;
  }
}
