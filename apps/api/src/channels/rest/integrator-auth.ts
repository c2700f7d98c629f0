import { EndUserId } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import type { ApiKeysService } from '@api/admin/api-keys.service.js';
import type { SessionIdentity } from '@api/sessions/session.repository.js';

export interface IntegratorCaller {
  tenant: string;
  userId: string;
  isStaff: boolean;
  /** the API key used (null for MASTER_KEY): its budget and usage are charged */
  apiKeyId: string | null;
}

/**
 * API key (or MASTER_KEY) plus X-User-Id: the end user on whose behalf an integrator calls.
 * `address` is the client's: wrong keys count against it.
 */
export async function authorizeIntegrator(keys: ApiKeysService, authorization: string | undefined, userIdHeader: string | string[] | undefined, address: string): Promise<IntegratorCaller> {
  if (!authorization) throw new ApiError('unauthorized', 'send your API key as "Authorization: Bearer <key>"');
  const principal = await keys.authenticate(authorization, address);
  if (!principal || principal.kind === 'staff') throw new ApiError('unauthorized', 'that API key is not valid (unknown or revoked)');
  if (userIdHeader === undefined) throw new ApiError('bad_request', 'X-User-Id header required: the id of the end user this conversation belongs to');
  const parsed = EndUserId.safeParse(Array.isArray(userIdHeader) ? userIdHeader[0] : userIdHeader);
  if (!parsed.success) throw new ApiError('validation_failed', parsed.error.issues[0]!.message);
  return { tenant: principal.tenant, userId: parsed.data, isStaff: principal.kind === 'master', apiKeyId: principal.kind === 'api-key' ? principal.keyId : null };
}

/**
 * A user's default thread is `user-{userId}` (seed 002); an explicit thread id is still
 * scoped to the user, so no one can name their way into another user's thread.
 */
export function threadOf(caller: IntegratorCaller, threadId?: string): { threadId: string; identity: SessionIdentity } {
  const id = threadId ?? `user-${caller.userId}`;
  const key = threadId ? `${caller.tenant}:${caller.userId}:${threadId}` : `${caller.tenant}:user-${caller.userId}`;
  return { threadId: id, identity: { channel: 'api', key, tenant: caller.tenant, endUserId: caller.userId, apiKeyId: caller.apiKeyId } };
}
