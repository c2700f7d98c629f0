import { hmacSha256Hex, safeEqual } from '@api/channels/webhooks/hmac.js';

export type MetaSignatureCheck = 'ok' | 'missing' | 'mismatch';

/** `sha256=` + HMAC-SHA256 of the raw body with the app secret: Meta's X-Hub-Signature-256. */
export function metaSignature(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${hmacSha256Hex(appSecret, rawBody)}`;
}

/** https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): MetaSignatureCheck {
  if (!header) return 'missing';
  // Meta sends lowercase hex; accept any case rather than fail a delivery on it.
  const given = header.trim().replace(/^sha256=([0-9a-fA-F]+)$/, (_, hex: string) => `sha256=${hex.toLowerCase()}`);
  return safeEqual(given, metaSignature(appSecret, rawBody)) ? 'ok' : 'mismatch';
}

export interface HandshakeQuery {
  'hub.mode'?: unknown;
  'hub.verify_token'?: unknown;
  'hub.challenge'?: unknown;
}

/** The subscription handshake: the challenge to echo back, or null when the token is wrong. */
export function answerHandshake(query: HandshakeQuery, verifyToken: string): string | null {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') return null;
  if (challenge.length === 0 || challenge.length > 256) return null;
  return safeEqual(token, verifyToken) ? challenge : null;
}
