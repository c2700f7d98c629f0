import { Injectable, Logger } from '@nestjs/common';
import type { ErrorPayload, MessageDto } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { newId } from '@api/common/ids.js';
import { tagSession } from '@api/common/request-context.js';
import { copyWith } from '@api/common/copy-with.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination, LockTimeoutError } from '@api/coordination/coordination.port.js';
import { ChatModel, type UpstreamError } from '@api/llm/chat-model.port.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import type { PredictedWindow, WindowPeek } from '@api/sessions/sessions.service.js';
import type { SessionRow } from '@api/sessions/session.types.js';
import type { WindowRow } from '@api/sessions/window-cache.js';
import { WindowService } from '@api/sessions/window.service.js';
import { ToolRegistry } from '@api/tools/tool-registry.js';
import { BudgetService } from '@api/usage/budget.service.js';
import { PriceBook, costOf } from '@api/usage/price-book.js';
import { CommandService, parseCommand } from './commands.js';
import { EarlyAnswer } from './early-answer.js';
import { InFlightRegistry } from './in-flight.registry.js';
import { retryPolicyOf, roundUsage, runModelRound, type RetryPolicy, type UpstreamCallSample } from './model-round.js';
import { SummaryService } from './summary.service.js';
import { endWithoutTools } from './tool-round.js';
import { TurnRecorder } from './turn-recorder.js';
import type { TurnInput, TurnResult } from './turn.types.js';

type Answer = Pick<TurnResult, 'assistant' | 'usage' | 'costMicros' | 'error' | 'finishReason' | 'upstreamError'> & { model: string; firstSeq: number; upstream: UpstreamCallSample[] };

/**
 * The turn pipeline (DESIGN §5), the same for every channel: session, lock, user
 * message stored before the model is called, window, model and tool rounds streamed
 * to the channel's sink, answer stored with usage and cost, lock released.
 */
@Injectable()
export class TurnService {
  private readonly logger = new Logger('turn');
  private readonly retry: RetryPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly coordination: Coordination,
    private readonly recorder: TurnRecorder,
    private readonly window: WindowService,
    private readonly model: ChatModel,
    private readonly tools: ToolRegistry,
    private readonly prices: PriceBook,
    private readonly events: SessionEvents,
    private readonly inFlight: InFlightRegistry,
    private readonly commands: CommandService,
    private readonly summaries: SummaryService,
    private readonly budgets: BudgetService,
  ) {
    this.retry = retryPolicyOf(config.env);
  }

  async run(input: TurnInput): Promise<TurnResult> {
    const command = parseCommand(input.text);
    if (command) return this.runCommand(input, command);
    return this.inFlight.track(() => this.runTurn(input));
  }

  private async runTurn(input: TurnInput): Promise<TurnResult> {
    const started = performance.now();
    const turnId = newId();
    const { identity } = input;
    const threadKey = `${identity.channel}:${identity.key}`;
    const locking = this.coordination.acquireTurnLock(threadKey, { waitMs: this.config.env.TURN_LOCK_WAIT_MS, leaseMs: this.config.env.TURN_LOCK_LEASE_MS });
    // Sent in the same tick as the lock request, so both share one round trip.
    const peeked = input.client ? null : this.recorder.peekWindow(input);
    const lock = await locking.catch((error: unknown) => {
      if (error instanceof LockTimeoutError) throw new ApiError('unavailable', 'this conversation is busy with earlier messages; try again shortly', { 'retry-after': '5' });
      throw error;
    });
    let charged: Promise<void> = Promise.resolve();
    let early: EarlyAnswer<Answer, PredictedWindow> | null = null;
    try {
      // Inside the lock, so a user's queued turns each see the previous one's charge;
      // before the user message is stored, so a refused turn leaves no trace in the thread.
      await this.budgets.check(identity);
      // From the peek; a thread this turn opens has none, and starts it once the session is opened.
      const beginEarly = (peek: WindowPeek) => (early ??= this.answerEarly(input, turnId, peek, lock.fence));
      const storing = input.client ? this.recorder.storeClientMessages(input, input.client, lock.fence) : this.recorder.storeUserMessage(input, lock.fence, peeked, beginEarly);
      if (peeked) early = beginEarly(peeked);
      const stored = await storing;
      if (stored.duplicateOf) return stored.duplicateOf;
      const { session, userMessage, newThread } = stored;
      tagSession(session.id);
      input.sink.started?.({ turnId, session, userMessage, newThread });
      this.events.emit('message', session, userMessage);
      this.inFlight.begin(threadKey, turnId, session.id);
      try {
        const answering =
          early?.adopt((predicted) => this.recorder.isFulfilledBy(predicted, stored)) ??
          this.answer(session, turnId, input, { fence: lock.fence, window: stored.window });
        const { firstSeq, upstream, ...answer } = await answering;
        this.events.emit('turn', {
          channel: session.channel,
          status: answer.assistant.status,
          model: answer.model,
          durationMs: performance.now() - started,
          usage: answer.usage,
          costMicros: answer.costMicros,
          upstream,
        });
        // Not awaited here: the release below goes out on the same connection in the same
        // tick, so both cost one round trip and the next turn still sees this charge.
        charged = this.budgets.charge(identity, { tokens: answer.usage?.totalTokens ?? 0, costMicros: answer.costMicros });
        this.summaries.foldOlderThan(session, firstSeq);
        return { turnId, session, userMessage, newThread, command: null, ...answer };
      } finally {
        this.inFlight.end(threadKey, turnId);
      }
    } finally {
      // Not adopted (the store failed, a resend, an error before the answer): it must never be sent.
      early?.cancel();
      // The user message's cache report, when no later report of the turn took it along:
      // the thread's next turn reads the cache only once this release is through.
      this.recorder.flushWindowReports();
      const released = lock.release().catch((error: Error) => this.logger.warn(`lock release failed for ${threadKey}: ${error.message}`));
      // The reply does not wait for the charge and the release: the thread's next turn is
      // granted the lock only once the release is processed, which is after the charge
      // (sent first, same connection). Shutdown still waits for both.
      this.inFlight.settleLater(Promise.all([charged, released]));
    }
  }

  /**
   * Starts the answer while the user message commits, from the window the peek predicts:
   * the model call is built meanwhile and sent once the turn adopts it (after the commit).
   * Begun after the insert is on the wire (setImmediate), so this work overlaps its round
   * trip instead of delaying it; a store that returns first simply finds nothing started.
   */
  private answerEarly(input: TurnInput, turnId: string, peeked: WindowPeek, fence: number): EarlyAnswer<Answer, PredictedWindow> {
    const early = new EarlyAnswer<Answer, PredictedWindow>(input.signal);
    setImmediate(() => {
      this.recorder
        .predictWindow(input, peeked)
        .then((predicted) => {
          if (predicted) early.start(predicted, (signal, sendAfter) => this.answer(predicted.session, turnId, copyWith(input, { signal }), { fence, window: predicted.rows, sendAfter }));
        })
        // Only a shortcut: without a prediction the turn answers the ordinary way.
        .catch(() => undefined);
    });
    return early;
  }

  private async answer(
    session: SessionRow,
    turnId: string,
    input: TurnInput,
    held: { fence: number; window: WindowRow[] | null | undefined; sendAfter?: Promise<void> },
  ): Promise<Answer> {
    const upstream: UpstreamCallSample[] = [];
    const threadKey = `${session.channel}:${session.key}`;
    const { client } = input;
    const { messages, firstSeq } = await this.window.build(session, client?.systemPrompt, held.window);
    const tools = client?.tools ?? this.tools.specsFor(session.channel);
    const model = this.model.resolveModel(client?.model);
    const maxOutputTokens = Math.min(client?.maxOutputTokens ?? Infinity, this.config.env.LLM_MAX_OUTPUT_TOKENS);
    const sink = {
      delta: (text: string) => {
        this.inFlight.append(threadKey, text);
        input.sink.delta?.(text);
        this.events.emit('delta', session.id, turnId, text);
      },
      status: (text: string) => input.sink.status(text),
    };
    // Read once, at the start: a staff member who starts watching mid-answer sees it when it is stored.
    const streamed = input.sink.delta !== undefined || this.events.deltasWatched;
    const total = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, estimated: false };
    let costMicros: number | null = 0;
    // The price is read once per turn: every round of one answer is priced alike.
    const charge = { price: this.prices.applied(model), apiKeyId: input.identity.apiKeyId ?? null };
    for (let round = 1; ; round++) {
      // Up to TOOL_MAX_ROUNDS rounds may run tools; the round after is offered none and must answer.
      const lastRound = round > this.config.env.TOOL_MAX_ROUNDS;
      const outcome = await runModelRound(
        this.model,
        { messages, tools: lastRound ? undefined : tools, signal: input.signal, maxOutputTokens, model, params: client?.params, sendAfter: round === 1 ? held.sendAfter : undefined, streamed },
        sink,
        this.retry,
      );
      upstream.push(...outcome.calls);
      const usage = roundUsage(outcome, messages);
      const cost = charge.price ? costOf(charge.price, usage) : null;
      total.promptTokens += usage.promptTokens;
      total.completionTokens += usage.completionTokens;
      total.cachedTokens += usage.cachedTokens;
      total.estimated ||= usage.estimated;
      costMicros = cost === null || costMicros === null ? null : costMicros + cost;
      if (lastRound) endWithoutTools(outcome, sink);

      const finish = (assistant: MessageDto) => ({
        assistant,
        model,
        firstSeq,
        upstream,
        costMicros,
        usage: copyWith(total, { totalTokens: total.promptTokens + total.completionTokens }),
        error: outcome.error ? toErrorPayload(outcome.error, outcome.text.length > 0) : null,
        finishReason: outcome.finishReason,
        upstreamError: outcome.error,
      });
      if (outcome.toolCalls.length > 0 && !outcome.error) {
        const callRow = await this.recorder.storeAssistant(session, outcome, usage, cost, model, charge, held.fence);
        this.events.emit('message', session, callRow);
        // The client's own tools run on the client, which answers in its next request.
        if (client?.tools) return finish(callRow);
        messages.push({ role: 'assistant', content: outcome.text || null, tool_calls: outcome.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) });
        // The calls run concurrently; their results are stored in call order.
        const results = this.tools.runCalls(outcome.toolCalls, { channel: session.channel, sessionId: session.id, signal: input.signal }, sink.status);
        for (const [index, call] of outcome.toolCalls.entries()) {
          const result = await results[index]!;
          const toolRow = await this.recorder.storeToolResult(session, call.id, result.content, held.fence);
          this.events.emit('message', session, toolRow);
          messages.push({ role: 'tool', content: result.content, tool_call_id: call.id });
        }
        continue;
      }
      const assistant = await this.recorder.storeAssistant(session, outcome, usage, cost, model, charge, held.fence);
      this.events.emit('message', session, assistant);
      return finish(assistant);
    }
  }


  private async runCommand(input: TurnInput, command: NonNullable<ReturnType<typeof parseCommand>>): Promise<TurnResult> {
    const text = await this.commands.run(command, input.identity, input.isStaff ?? false);
    input.sink.delta?.(text);
    const session = (await this.recorder.latestSession(input.identity)) ?? placeholderSession(input);
    const assistant: MessageDto = {
      id: newId(), seq: 0, role: 'assistant', content: text, status: 'complete', participant: null,
      createdAt: new Date().toISOString(), toolCalls: null, toolCallId: null, model: null, usage: null, costMicros: 0, price: null,
    };
    return { turnId: newId(), session, userMessage: null, assistant, newThread: false, usage: null, costMicros: 0, error: null, command };
  }
}

function toErrorPayload(error: UpstreamError, partial: boolean): ErrorPayload {
  const code = error.kind === 'timeout' ? 'upstream_timeout' : 'upstream_error';
  const tail = partial ? 'The answer stopped part way; what arrived is kept.' : 'Your message was saved; please try again.';
  return { code, message: `${error.message}. ${tail}` };
}

function placeholderSession(input: TurnInput): SessionRow {
  const now = new Date();
  return {
    id: '', channel: input.identity.channel, key: input.identity.key, status: 'cleared', tenant: input.identity.tenant ?? null,
    end_user_id: input.identity.endUserId ?? null, participants: [], message_count: 0, prompt_tokens: 0, completion_tokens: 0,
    cached_tokens: 0, cost_micros: 0, summary: null, summary_through_seq: 0, created_at: now, last_activity_at: now,
    expires_at: now, max_expires_at: now, ended_at: now, ended_by: null,
  };
}

