import { Injectable } from '@nestjs/common';
import type { Usage } from '@threadline/contracts';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { InFlightRegistry } from '@api/chat/in-flight.registry.js';
import { retryPolicyOf, roundUsage, runModelRound, type RetryPolicy, type RoundOutcome, type RoundSink } from '@api/chat/model-round.js';
import { ChatModel, type ChatModelMessage, type ToolSpec } from '@api/llm/chat-model.port.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';
import { Database } from '@api/storage/database.js';
import { BudgetService } from '@api/usage/budget.service.js';
import { PriceBook, costOf } from '@api/usage/price-book.js';
import { usageAggregateCtes } from '@api/usage/usage-aggregates.sql.js';
import { copyWith } from '@api/common/copy-with.js';

export interface DirectCall {
  /** who pays: the API key, and the end user when the request named one */
  identity: SessionIdentity;
  messages: ChatModelMessage[];
  tools?: ToolSpec[];
  model?: string;
  maxOutputTokens?: number;
  params?: Record<string, unknown>;
  sink: RoundSink;
}

export interface DirectResult {
  outcome: RoundOutcome;
  usage: Usage;
  costMicros: number | null;
  model: string;
}

/**
 * One model call outside any thread: the plain proxy (no session) and read-only
 * continuations (`store: false`). Nothing is stored but the spend: budgets are checked
 * and charged, and the usage aggregates (per day and model, end user, API key) count
 * it like any turn.
 */
@Injectable()
export class DirectCompletionService {
  private readonly retry: RetryPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly model: ChatModel,
    private readonly prices: PriceBook,
    private readonly budgets: BudgetService,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: SessionEvents,
    private readonly inFlight: InFlightRegistry,
  ) {
    this.retry = retryPolicyOf(config.env);
  }

  async run(call: DirectCall): Promise<DirectResult> {
    return this.inFlight.track(() => this.call(call));
  }

  private async call(call: DirectCall): Promise<DirectResult> {
    const started = performance.now();
    await this.budgets.check(call.identity);
    const model = this.model.resolveModel(call.model);
    const maxOutputTokens = Math.min(call.maxOutputTokens ?? Infinity, this.config.env.LLM_MAX_OUTPUT_TOKENS);
    const request = { messages: call.messages, tools: call.tools, model, maxOutputTokens, params: call.params, streamed: call.sink.delta !== undefined };
    const outcome = await runModelRound(this.model, request, call.sink, this.retry);
    const usage = usageOf(outcome, call.messages);
    const price = this.prices.applied(model);
    const costMicros = price ? costOf(price, usage) : null;
    if (usage.promptTokens > 0 || usage.completionTokens > 0) await this.record(call.identity, model, usage, costMicros);
    await this.budgets.charge(call.identity, { tokens: usage.totalTokens, costMicros });
    this.events.emit('turn', {
      channel: 'openai',
      status: outcome.error ? (outcome.text ? 'partial' : 'error') : 'complete',
      model,
      durationMs: performance.now() - started,
      usage,
      costMicros,
      upstream: outcome.calls,
    });
    return { outcome, usage, costMicros, model };
  }

  /** The same aggregate rows a stored answer updates, written without a message. */
  private async record(identity: SessionIdentity, model: string, usage: Usage, costMicros: number | null): Promise<void> {
    await this.db.query(
      `WITH ${usageAggregateCtes(`SELECT $1::timestamptz AS at, 'openai'::text AS channel, $3::text AS tenant, $4::text AS end_user_id,
                                        $2::uuid AS api_key_id, $5::text AS model, $6::int AS prompt_tokens, $7::int AS completion_tokens,
                                        $8::int AS cached_tokens, $9::bigint AS cost_micros, $10::boolean AS usage_estimated`, 'one')}
       SELECT 1 AS recorded`,
      [this.clock.now(), identity.apiKeyId ?? null, identity.tenant ?? null, identity.endUserId ?? null, model, usage.promptTokens, usage.completionTokens, usage.cachedTokens, costMicros, usage.estimated],
    );
  }
}

function usageOf(outcome: RoundOutcome, messages: ChatModelMessage[]): Usage {
  const counted = roundUsage(outcome, messages);
  return copyWith(counted, { totalTokens: counted.promptTokens + counted.completionTokens });
}
