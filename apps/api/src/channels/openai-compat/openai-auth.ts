import { EndUserId } from '@threadline/contracts';
import { ApiKeysService } from '@api/admin/api-keys.service.js';
import type { Principal } from '@api/admin/principal.js';
import { ApiError } from '@api/common/api-error.js';
import { ID_CONTROL_CHARS } from '@api/common/validate.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';
import { OpenAIError, invalidRequest } from './openai-errors.js';

/** Who calls a /v1 route: a Threadline API key (or MASTER_KEY) sent as OpenAI's bearer key. */
export interface OpenAICaller {
  tenant: string;
  /** null for MASTER_KEY */
  apiKeyId: string | null;
  isStaff: boolean;
}

/** `address` is the client's: wrong keys count against it, and too many are refused with 429. */
export async function authorizeOpenAI(keys: ApiKeysService, authorization: string | undefined, address: string): Promise<OpenAICaller> {
  if (!authorization) {
    throw new OpenAIError(401, "You didn't provide an API key. Send a Threadline API key as the bearer key (Authorization: Bearer <key>), as for OpenAI.");
  }
  const principal = await keys.authenticate(authorization, address).catch((error: unknown): Principal | null => {
    // In OpenAI's words a throttled client is `rate_limit_exceeded`; its `insufficient_quota` means a spent budget.
    if (error instanceof ApiError && error.code === 'rate_limited') throw new OpenAIError(429, error.message, null, 'rate_limit_exceeded', 'requests', error.headers);
    throw error;
  });
  if (!principal || principal.kind === 'staff') throw new OpenAIError(401, 'Incorrect API key provided: it is not a valid Threadline API key (unknown or revoked).', null, 'invalid_api_key');
  return { tenant: principal.tenant, apiKeyId: principal.kind === 'api-key' ? principal.keyId : null, isStaff: principal.kind === 'master' };
}

/**
 * Thread keys of the `openai` channel, all inside the caller's tenant, one namespace
 * per way of naming a thread so none can name its way into another's.
 */
export const threadKey = {
  /** X-Session-Id, metadata.session_id or user (DESIGN §3) */
  session: (tenant: string, sessionId: string) => `${tenant}:s:${sessionId}`,
  conversation: (tenant: string, conversationId: string) => `${tenant}:conv:${conversationId}`,
  /** a previous_response_id chain, named after its first response */
  chain: (tenant: string, responseId: string) => `${tenant}:resp:${responseId}`,
};

/**
 * The session a request belongs to (DESIGN §3): the X-Session-Id header, else
 * metadata.session_id, else the OpenAI `user` field; null when none is given.
 */
export function sessionIdOf(header: string | string[] | undefined, metadata: Record<string, string> | null | undefined, user: string | null | undefined): string | null {
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const [value, param] =
    fromHeader !== undefined ? [fromHeader, 'X-Session-Id'] : metadata?.session_id !== undefined ? [metadata.session_id, 'metadata.session_id'] : [user, 'user'];
  if (value === undefined || value === null) return null;
  const id = value.trim();
  if (!id || id.length > 256 || ID_CONTROL_CHARS.test(id)) throw invalidRequest(`${param} must be 1 to 256 characters without control characters`, param === 'X-Session-Id' ? null : param);
  return id;
}

/** The OpenAI `user` doubles as the end user (per-user usage and budgets) when it is a valid end-user id. */
export function identityOf(caller: OpenAICaller, key: string, user: string | null | undefined): SessionIdentity {
  const endUser = user && EndUserId.safeParse(user).success ? user : null;
  return { channel: 'openai', key, tenant: caller.tenant, endUserId: endUser, apiKeyId: caller.apiKeyId };
}

/** `resp_…`, `conv_…`, `msg_…`: OpenAI-style ids from a UUIDv7. */
export function prefixedId(prefix: string, uuid: string): string {
  return `${prefix}_${uuid.replaceAll('-', '')}`;
}

/** The UUID inside a prefixed id, or null when it holds none. */
export function uuidOf(id: string, prefix: string): string | null {
  const hex = new RegExp(`^${prefix}_([0-9a-f]{32})(?:_\\d+)?$`).exec(id)?.[1];
  return hex ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
}
