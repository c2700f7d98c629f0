import type { Channel, MessageDto, SessionStatus, SessionSummaryDto } from '@threadline/contracts';
import type { SessionFilters } from './api';

// Records keyed by the contract unions: tsc fails here when a channel or status is added or removed.
const CHANNEL_LABELS: Record<Channel, string> = {
  web: 'Web',
  api: 'API',
  slack: 'Slack',
  messenger: 'Messenger',
  whatsapp: 'WhatsApp',
  openai: 'OpenAI-compatible',
};
const STATUS_LABELS: Record<SessionStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  cleared: 'Cleared',
  deleted: 'Deleted',
};
export const CHANNEL_OPTIONS = Object.entries(CHANNEL_LABELS) as [Channel, string][];
export const STATUS_OPTIONS = Object.entries(STATUS_LABELS) as [SessionStatus, string][];

const dayOf = (iso: string) => iso.slice(0, 10);

/** What a summary carries can be judged locally; what it does not (search, API key) is the server's call. */
function matchesKnownFilters(s: SessionSummaryDto, f: SessionFilters): boolean {
  return (
    (!f.channel || s.channel === f.channel) &&
    (!f.status || s.status === f.status) &&
    (!f.endUserId.trim() || s.endUserId === f.endUserId.trim()) &&
    (!f.from || dayOf(s.lastActivityAt) >= f.from) &&
    (!f.to || dayOf(s.lastActivityAt) <= f.to)
  );
}

/** Filters only the server can evaluate: a session it never returned cannot be shown as a match. */
const hasServerOnlyFilters = (f: SessionFilters) => f.q.trim() !== '' || f.apiKeyId.trim() !== '';

/** Applies a live event: the touched row moves to the top, or leaves if it no longer fits the filters. */
export function upsertSession(rows: SessionSummaryDto[], s: SessionSummaryDto, f: SessionFilters): SessionSummaryDto[] {
  const present = rows.some((r) => r.id === s.id);
  const rest = rows.filter((r) => r.id !== s.id);
  if (!matchesKnownFilters(s, f)) return rest;
  if (hasServerOnlyFilters(f) && !present) return rows;
  return [s, ...rest];
}

/**
 * Replaces the list with a freshly fetched first page, keeping any live event that arrived while
 * the request was in flight and is newer than what the page says.
 */
export function mergeFirstPage(
  page: SessionSummaryDto[],
  liveSinceRequest: SessionSummaryDto[],
  f: SessionFilters,
): SessionSummaryDto[] {
  let rows = page;
  for (const live of liveSinceRequest) {
    const fetched = rows.find((r) => r.id === live.id);
    if (!fetched || live.lastActivityAt >= fetched.lastActivityAt) rows = upsertSession(rows, live, f);
  }
  return rows;
}

/** Rows a live event already moved up must not reappear further down the next page. */
export function appendPage(rows: SessionSummaryDto[], page: SessionSummaryDto[]): SessionSummaryDto[] {
  const seen = new Set(rows.map((r) => r.id));
  return [...rows, ...page.filter((s) => !seen.has(s.id))];
}

export function mergeMessages(a: MessageDto[], b: MessageDto[]): MessageDto[] {
  const byId = new Map<string, MessageDto>();
  for (const m of [...a, ...b]) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.seq - y.seq);
}
