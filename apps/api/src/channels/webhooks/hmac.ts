import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 over the given byte sequences, in order, as lowercase hex. */
export function hmacSha256Hex(secret: string, ...parts: Array<string | Buffer>): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/**
 * Constant-time comparison of two strings. Unequal lengths return false at once: the
 * expected length (a hex digest, a token's length) is not the secret being protected.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
