import type {
  Channel,
  ErrorBody,
  SessionListResponse,
  SessionStatus,
  StaffDto,
  TranscriptResponse,
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
}

export const PAGE_SIZE = 50;

async function request<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
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
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

export const api = {
  me: () => request<{ staff: StaffDto }>('/api/admin/me'),
  login: (email: string, password: string) =>
    request<{ staff: StaffDto }>('/api/admin/login', { method: 'POST', body: { email, password } }),
  logout: () => request<void>('/api/admin/logout', { method: 'POST' }),
  sessions: (filters: SessionFilters, cursor: string | null = null) =>
    request<SessionListResponse>(`/api/admin/sessions?${sessionsQuery(filters, cursor)}`),
  transcript: (id: string) => request<TranscriptResponse>(`/api/admin/sessions/${encodeURIComponent(id)}`),
};
