import { hmacSha256Hex, safeEqual } from '@api/channels/webhooks/hmac.js';

/** Slack's window for a signed request's timestamp, either side of now (replay protection). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type SlackSignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

export interface SlackSignedRequest {
  /** the exact bytes Slack sent */
  rawBody: Buffer;
  /** X-Slack-Request-Timestamp */
  timestamp: string | undefined;
  /** X-Slack-Signature */
  signature: string | undefined;
}

/** `v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${hmacSha256Hex(secret, `v0:${timestamp}:`, rawBody)}`;
}

/** Slack request signing, v0: https://api.slack.com/authentication/verifying-requests-from-slack */
export function verifySlackSignature(request: SlackSignedRequest, secret: string, nowSeconds: number): SlackSignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return 'stale';
  return safeEqual(signature, slackSignature(secret, timestamp, rawBody)) ? 'ok' : 'mismatch';
}
