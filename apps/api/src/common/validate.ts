import type { z } from 'zod';
import { ApiError } from './api-error.js';

/** Parses untrusted input; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    const bad = unstorableText(result.data);
    if (bad) throw new ApiError('validation_failed', `${bad.path || what} ${bad.reason}`);
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : what;
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${what}` : `${field}: ${issue.message}`;
  throw new ApiError('validation_failed', message);
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Characters that have no business in chat text (C0 controls but tab and newlines, DEL, and the C1 controls). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Any C0 control or DEL, tab and newlines included: none belongs in an id, a key or a path. */
// eslint-disable-next-line no-control-regex
export const ID_CONTROL_CHARS = /[\u0000-\u001F\u007F]/;

/**
 * `text` made storable: lone surrogates become U+FFFD and NULs go. For text nobody
 * validated, such as what a model or a tool sends back, where failing the write would
 * lose the turn; input from clients is refused instead (unstorableText).
 */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '') : wellFormed;
}

/**
 * Where in a parsed input a string (or an object key) holds text Postgres cannot store:
 * U+0000, or a lone surrogate (which JSON carries as `\\ud800` and jsonb refuses). Such
 * input is refused up front instead of failing in the database as a 500. The answer is
 * a dotted path ('' for the input itself) with the reason, or null. Iterative: a deeply
 * nested body must not overflow the stack.
 */
export function unstorableText(value: unknown): { path: string; reason: string } | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  const reasonOf = (text: string) => (text.includes('\u0000') ? 'must not contain NUL characters' : text.isWellFormed() ? null : 'is not well-formed Unicode');
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      const reason = reasonOf(item);
      if (reason) return { path, reason };
    } else if (item && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const reason = reasonOf(key);
        if (reason) return { path, reason: `has a key that ${reason}` };
        stack.push([child, path ? `${path}.${key}` : key]);
      }
    }
  }
  return null;
}

export function assertCleanText(text: string, maxBytes: number, field = 'message'): void {
  if (byteLength(text) > maxBytes) throw new ApiError('payload_too_large', `${field} is larger than ${maxBytes} bytes`);
  if (CONTROL_CHARS.test(text)) throw new ApiError('validation_failed', `${field} contains control characters`);
  if (!text.isWellFormed()) throw new ApiError('validation_failed', `${field} is not well-formed Unicode`);
}
