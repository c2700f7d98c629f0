import { byteLength, CONTROL_CHARS } from '@api/common/validate.js';

/** What a client's message is refused for (validate.ts), here dropped wherever it occurs. */
const EVERY_CONTROL_CHAR = new RegExp(CONTROL_CHARS.source, 'g');

/**
 * Text from a provider is the user's message, not a client's request: rather than refuse
 * it (nobody would see the 400), stray control characters are dropped. Null when the
 * message is over the size limit, which the caller turns into a polite reply.
 */
export function cleanInboundText(text: string, maxBytes: number): string | null {
  const cleaned = text.toWellFormed().replace(EVERY_CONTROL_CHAR, '').trim();
  return byteLength(cleaned) > maxBytes ? null : cleaned;
}

export const TOO_LONG_NOTICE = 'Sorry, that message is too long for me to read. Please send a shorter one.';
