import type {
  ApiKeyDto,
  AuditListResponse,
  Channel,
  CreateApiKeyResponse,
  CreateStaffResponse,
  ErrorBody,
  SessionListResponse,
  SessionStatus,
  SessionSummaryDto,
  StaffDto,
  StaffMemberDto,
  StaffRole,
  TranscriptResponse,
  UsageReport,
} from '@threadline/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isUnauthorized = (err: unknown): boolean => err instanceof ApiError && err.status === 401;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface SessionFilters {
  channel: Channel | '';
  status: SessionStatus | '';
  q: string;
  endUserId: string;
  apiKeyId: string;
  /** UTC days (YYYY-MM-DD) on last activity, both ends included */
  from: string;
  to: string;
}

export const NO_FILTERS: SessionFilters = { channel: '', status: '', q: '', endUserId: '', apiKeyId: '', from: '', to: '' };

/** The server answers shorter searches with a 400: its trigram index needs three characters. */
export const MIN_SEARCH = 3;

export const PAGE_SIZE = 50;

async function request<T>(path: string, init: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server.');
  }
  // Read as text first: logout answers with an empty body, and a proxy failure with HTML.
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `Request failed (HTTP ${res.status}).`);
  }
  return body as T;
}

export function sessionsQuery(filters: SessionFilters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  // The server validates channel/status as enums, so an empty value must be left out, not sent blank.
  if (filters.status) params.set('status', filters.status);
  if (filters.channel) params.set('channel', filters.channel);
  if (filters.endUserId.trim()) params.set('endUserId', filters.endUserId.trim());
  if (filters.apiKeyId.trim()) params.set('apiKeyId', filters.apiKeyId.trim());
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.q.trim().length >= MIN_SEARCH) params.set('q', filters.q.trim());
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

const id = (value: string) => encodeURIComponent(value);

export type SessionAction = 'clear' | 'expire' | 'delete';

export const api = {
  me: () => request<{ staff: StaffDto }>('/api/admin/me'),
  login: (email: string, password: string) =>
    request<{ staff: StaffDto }>('/api/admin/login', { method: 'POST', body: { email, password } }),
  logout: () => request<void>('/api/admin/logout', { method: 'POST' }),
  sessions: (filters: SessionFilters, cursor: string | null = null) =>
    request<SessionListResponse>(`/api/admin/sessions?${sessionsQuery(filters, cursor)}`),
  transcript: (sessionId: string) => request<TranscriptResponse>(`/api/admin/sessions/${id(sessionId)}`),
  endSession: (sessionId: string, action: SessionAction) =>
    action === 'delete'
      ? request<SessionSummaryDto>(`/api/admin/sessions/${id(sessionId)}`, { method: 'DELETE' })
      : request<SessionSummaryDto>(`/api/admin/sessions/${id(sessionId)}/${action}`, { method: 'POST' }),
  usage: (from: string, to: string, top = 10) =>
    request<UsageReport>(`/api/admin/usage?${new URLSearchParams({ from, to, top: String(top) }).toString()}`),
  audit: (action: string, cursor: string | null = null) => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (action) params.set('action', action);
    if (cursor) params.set('cursor', cursor);
    return request<AuditListResponse>(`/api/admin/audit?${params.toString()}`);
  },
  apiKeys: () => request<ApiKeyDto[]>('/api/admin/api-keys'),
  createApiKey: (name: string, tenant: string) =>
    request<CreateApiKeyResponse>('/api/admin/api-keys', { method: 'POST', body: tenant ? { name, tenant } : { name } }),
  revokeApiKey: (keyId: string) => request<ApiKeyDto>(`/api/admin/api-keys/${id(keyId)}`, { method: 'DELETE' }),
  staff: () => request<StaffMemberDto[]>('/api/admin/staff'),
  createStaff: (email: string, role: StaffRole) =>
    request<CreateStaffResponse>('/api/admin/staff', { method: 'POST', body: { email, role } }),
  updateStaff: (staffId: string, role: StaffRole) =>
    request<StaffMemberDto>(`/api/admin/staff/${id(staffId)}`, { method: 'PATCH', body: { role } }),
  removeStaff: (staffId: string) => request<StaffMemberDto>(`/api/admin/staff/${id(staffId)}`, { method: 'DELETE' }),
};
