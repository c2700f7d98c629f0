import { ApiError } from '@api/common/api-error.js';
import type { WebTokenService } from './web-token.service.js';

export const WEB_SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Seed 001 asks for a clear 400 without a session id and 401 without a valid token. */
export function authorizeWebSession(tokens: WebTokenService, sessionId: string | undefined, authorization: string | undefined): string {
  if (!sessionId) throw new ApiError('bad_request', 'Session ID required: create one with POST /api/sessions');
  if (!WEB_SESSION_ID.test(sessionId)) throw new ApiError('bad_request', 'that is not a session id issued by POST /api/sessions');
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new ApiError('unauthorized', 'Session token required: send "Authorization: Bearer <token>" as returned by POST /api/sessions');
  // Same answer for a wrong token and an unknown session, so ids cannot be probed.
  if (!tokens.verify(sessionId, token)) throw new ApiError('unauthorized', 'the session token does not match this session');
  return sessionId;
}
