import type { z } from 'zod';
import { ApiError } from './api-error.js';

/** Parses untrusted input; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : what;
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${what}` : `${field}: ${issue.message}`;
  throw new ApiError('validation_failed', message);
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Characters that have no business in chat text (C0 controls but tab and newlines, and DEL). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function assertCleanText(text: string, maxBytes: number, field = 'message'): void {
  if (byteLength(text) > maxBytes) throw new ApiError('payload_too_large', `${field} is larger than ${maxBytes} bytes`);
  if (CONTROL_CHARS.test(text)) throw new ApiError('validation_failed', `${field} contains control characters`);
  if (text.isWellFormed && !text.isWellFormed()) throw new ApiError('validation_failed', `${field} is not well-formed Unicode`);
}
