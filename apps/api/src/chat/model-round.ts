import { setTimeout as sleep } from 'node:timers/promises';
import type { ToolCall } from '@threadline/contracts';
import { ChatModel, UpstreamError, type ChatModelMessage, type ChatModelRequest, type UpstreamUsage } from '@api/llm/chat-model.port.js';
import { copyWith } from '@api/common/copy-with.js';
import { estimateMessageTokens, estimateTextTokens } from '@api/usage/token-counter.js';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  /** never wait longer than this for one retry, whatever Retry-After says */
  maxDelayMs: number;
}

/** LLM_MAX_RETRIES / LLM_RETRY_BASE_MS: what every model call of the gateway retries with. */
export function retryPolicyOf(env: { LLM_MAX_RETRIES: number; LLM_RETRY_BASE_MS: number }): RetryPolicy {
  return { maxRetries: env.LLM_MAX_RETRIES, baseDelayMs: env.LLM_RETRY_BASE_MS, maxDelayMs: 30_000 };
}

export interface RoundOutcome {
  text: string;
  toolCalls: ToolCall[];
  usage: UpstreamUsage | null;
  finishReason: string | null;
  /** set when the upstream failed for good; `text` then holds whatever had streamed */
  error: UpstreamError | null;
  /** every upstream call of the round, retries included, for latency metrics */
  calls: UpstreamCallSample[];
}

/**
 * What a round cost. The upstream's usage is the record; without it, a local estimate marked
 * as such (nothing at all when the round failed before any text).
 */
export function roundUsage(outcome: RoundOutcome, messages: ChatModelMessage[]): UpstreamUsage & { estimated: boolean } {
  if (outcome.usage) return copyWith(outcome.usage, { estimated: false });
  if (outcome.error && !outcome.text) return { promptTokens: 0, completionTokens: 0, cachedTokens: 0, estimated: true };
  const promptTokens = messages.reduce((n, m) => n + estimateMessageTokens(m.content ?? ''), 0);
  return { promptTokens, completionTokens: estimateTextTokens(outcome.text), cachedTokens: 0, estimated: true };
}

export interface UpstreamCallSample {
  durationMs: number;
  firstTokenMs: number | null;
  outcome: 'ok' | UpstreamError['kind'];
}

export interface RoundSink {
  /** Absent: nobody sees the text before the round ends (see ChatModelRequest.streamed). */
  delta?(text: string): void;
  status(text: string): void;
}

/**
 * One model call, streamed to the sink, retried with exponential backoff while nothing
 * has reached the user yet. Once text has streamed a retry would repeat it, so a
 * failure then ends the round with what arrived (a partial answer).
 */
export async function runModelRound(model: ChatModel, request: ChatModelRequest, sink: RoundSink, policy: RetryPolicy): Promise<RoundOutcome> {
  const samples: UpstreamCallSample[] = [];
  for (let attempt = 0; ; attempt++) {
    const outcome: RoundOutcome = { text: '', toolCalls: [], usage: null, finishReason: null, error: null, calls: samples };
    const calls = new Map<number, ToolCall>();
    let started = performance.now();
    // Timed from when the call may leave: the wait for the gate is the commit's, not the upstream's.
    if (attempt === 0) void request.sendAfter?.then(() => (started = performance.now()));
    let firstTokenMs: number | null = null;
    try {
      for await (const event of model.stream(request)) {
        firstTokenMs ??= performance.now() - started;
        if (event.type === 'text') {
          outcome.text += event.text;
          sink.delta?.(event.text);
        } else if (event.type === 'tool_call') {
          const call = calls.get(event.index) ?? { id: '', name: '', arguments: '' };
          if (event.id) call.id = event.id;
          if (event.name) call.name += event.name;
          if (event.argumentsDelta) call.arguments += event.argumentsDelta;
          calls.set(event.index, call);
        } else if (event.type === 'usage') outcome.usage = event.usage;
        else outcome.finishReason = event.reason;
      }
      outcome.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
      samples.push({ durationMs: performance.now() - started, firstTokenMs, outcome: 'ok' });
      return outcome;
    } catch (caught) {
      if (request.signal?.aborted) throw caught;
      const error = caught instanceof UpstreamError ? caught : new UpstreamError('network', (caught as Error).message);
      samples.push({ durationMs: performance.now() - started, firstTokenMs, outcome: error.kind });
      const streamed = outcome.text.length > 0 || calls.size > 0;
      if (streamed || !error.retryable || attempt >= policy.maxRetries) return { ...outcome, toolCalls: [], error };
      const backoff = policy.baseDelayMs * 2 ** attempt * (0.8 + Math.random() * 0.4);
      const delay = Math.min(policy.maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0));
      sink.status(error.kind === 'rate_limited' ? 'The model is busy; retrying…' : 'The model did not answer; retrying…');
      // node's abortable sleep also drops its abort listener when the time is up.
      await sleep(delay, undefined, { signal: request.signal });
    }
  }
}

