import { byteLength } from '@api/common/validate.js';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * Text from a provider is the user's message, not a client's request: rather than refuse
 * it (nobody would see the 400), stray control characters are dropped. Null when the
 * message is over the size limit, which the caller turns into a polite reply.
 */
export function cleanInboundText(text: string, maxBytes: number): string | null {
  const cleaned = text.toWellFormed().replace(CONTROL_CHARS, '').trim();
  return byteLength(cleaned) > maxBytes ? null : cleaned;
}

export const TOO_LONG_NOTICE = 'Sorry, that message is too long for me to read. Please send a shorter one.';
