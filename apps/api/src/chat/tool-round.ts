import type { RoundOutcome, RoundSink } from './model-round.js';

export const TOOL_LIMIT_ANSWER = 'I could not finish this within the number of tool steps allowed for one message. Please ask again, perhaps more specifically.';

/**
 * The round after the last tool round is offered no tools. A model that asks for them
 * anyway gets none: its calls are dropped (stored, they would be calls without results)
 * and the turn ends with whatever it wrote, or a plain note when it wrote nothing.
 */
export function endWithoutTools(outcome: RoundOutcome, sink: Pick<RoundSink, 'delta'>): void {
  if (outcome.toolCalls.length === 0) return;
  outcome.toolCalls = [];
  if (outcome.text.trim()) return;
  outcome.text = TOOL_LIMIT_ANSWER;
  sink.delta?.(TOOL_LIMIT_ANSWER);
}
