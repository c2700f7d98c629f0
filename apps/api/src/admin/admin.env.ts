import { z } from 'zod';
import { parseDurationSeconds } from '@api/config/duration.js';

const failures = z.coerce
  .number({ message: 'a whole number of failed attempts (0 turns the limit off)' })
  .int('a whole number of failed attempts (0 turns the limit off)')
  .min(0, 'a whole number of failed attempts (0 turns the limit off)')
  .max(1_000_000, 'a whole number of failed attempts (0 turns the limit off)');

const window = z.string().transform((text, ctx) => {
  const seconds = parseDurationSeconds(text);
  if (seconds === null || seconds < 1 || seconds > 86_400) {
    ctx.addIssue({ code: 'custom', message: 'a duration from 1s to 24h, such as 900, 15m or 1h' });
    return z.NEVER;
  }
  return seconds;
});

/**
 * Guessing of bearer credentials (API keys, MASTER_KEY), spread into the env schema:
 * an address that sends AUTH_FAILURE_LIMIT wrong keys within one AUTH_FAILURE_WINDOW
 * is refused with 429 until the window ends.
 */
export const authEnvShape = {
  AUTH_FAILURE_LIMIT: failures.default(20),
  AUTH_FAILURE_WINDOW: window.prefault('15m'),
};
