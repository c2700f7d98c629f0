import { Logger } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';
import type { TurnResult } from '@api/chat/turn.types.js';

const logger = new Logger('webhooks');

/** What a chat user reads at the end of a turn: the answer, and why it stopped short if it did. */
export function answerText(result: TurnResult): string {
  const text = result.assistant.content.trim();
  if (!result.error) return text || 'I have no answer to that. Could you rephrase it?';
  return text ? `${text}\n\n⚠️ ${result.error.message}` : `⚠️ ${result.error.message}`;
}

/**
 * A turn that threw: refusals the user can act on (a budget, a busy thread) are passed
 * on as they are; anything else is logged and answered with an apology.
 */
export function failureText(error: unknown, label: string): string {
  if (error instanceof ApiError && (error.status < 500 || error.code === 'unavailable')) return `⚠️ ${error.message}`;
  logger.error(`${label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return '⚠️ Sorry, something went wrong on my side. Please try again in a moment.';
}

/** "X is not set" / "X and Y are not set": why a channel is off. */
export function missingSettings(settings: Record<string, string | undefined>): string | null {
  const missing = Object.entries(settings)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length === 0) return null;
  const names = missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)!}`;
  return `${names} ${missing.length === 1 ? 'is' : 'are'} not set`;
}
