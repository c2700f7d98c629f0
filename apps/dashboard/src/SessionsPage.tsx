import { useEffect, useRef, useState } from 'react';
import type { SessionSummaryDto } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized, type SessionFilters } from './api';
import { appendPage, CHANNEL_OPTIONS, mergeFirstPage, STATUS_OPTIONS, upsertSession } from './sessions';
import { SessionsTable } from './SessionsTable';
import type { SocketFactory } from './socket';
import { TranscriptView } from './TranscriptView';
import { useAdminSocket } from './useAdminSocket';

const SEARCH_DEBOUNCE_MS = 300;

interface Props {
  connectSocket: SocketFactory;
  onUnauthorized: () => void;
}

export function SessionsPage({ connectSocket, onUnauthorized }: Props) {
  const { socket, live, epoch } = useAdminSocket(connectSocket);
  const [filters, setFilters] = useState<SessionFilters>({ channel: '', status: '', q: '' });
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<SessionSummaryDto[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // Responses to superseded requests (filters changed, reconnect) are dropped by generation.
  const generation = useRef(0);
  // Live events seen while the first page is in flight; the page must not overwrite them.
  const liveDuringLoad = useRef<SessionSummaryDto[] | null>(null);

  const fail = (err: unknown) => {
    if (isUnauthorized(err)) onUnauthorized();
    else setError(errorMessage(err));
  };

  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.q === search ? f : { ...f, q: search })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    const gen = ++generation.current;
    liveDuringLoad.current = [];
    setLoading(true);
    setError(null);
    api.sessions(filters).then(
      (page) => {
        if (gen !== generation.current) return;
        const live = liveDuringLoad.current ?? [];
        liveDuringLoad.current = null;
        setRows(mergeFirstPage(page.sessions, live, filters));
        setNextCursor(page.nextCursor);
        setLoading(false);
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        liveDuringLoad.current = null;
        setLoading(false);
        fail(err);
      },
    );
  }, [filters, epoch, onUnauthorized]);

  useEffect(() => {
    if (!socket) return;
    const onSession = (s: SessionSummaryDto) => {
      liveDuringLoad.current?.push(s);
      setRows((current) => upsertSession(current, s, filters));
    };
    socket.on('session:created', onSession);
    socket.on('session:updated', onSession);
    return () => {
      socket.off('session:created', onSession);
      socket.off('session:updated', onSession);
    };
  }, [socket, filters]);

  async function loadMore() {
    if (!nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    try {
      const page = await api.sessions(filters, nextCursor);
      if (gen !== generation.current) return;
      setRows((current) => appendPage(current, page.sessions));
      setNextCursor(page.nextCursor);
    } catch (err) {
      if (gen === generation.current) fail(err);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <main className={selectedId ? 'sessions-page with-transcript' : 'sessions-page'}>
      <section className="list">
        <div className="toolbar">
          <select
            aria-label="Channel"
            value={filters.channel}
            onChange={(e) => setFilters((f) => ({ ...f, channel: e.target.value as SessionFilters['channel'] }))}
          >
            <option value="">All channels</option>
            {CHANNEL_OPTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <select
            aria-label="Status"
            value={filters.status}
            onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as SessionFilters['status'] }))}
          >
            <option value="">All statuses</option>
            {STATUS_OPTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <input type="search" aria-label="Search" placeholder="Search…" value={search} onChange={(e) => setSearch(e.target.value)} />
          {loading && <span className="muted">Loading…</span>}
          <span className={live ? 'live on' : 'live'} title={live ? 'Receiving live updates' : 'Not connected; list may be stale'}>
            {live ? 'live' : 'offline'}
          </span>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <SessionsTable rows={rows} selectedId={selectedId} onSelect={setSelectedId} />
        {nextCursor && (
          <button type="button" className="more" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
      {selectedId && (
        <TranscriptView
          key={selectedId}
          sessionId={selectedId}
          socket={socket}
          epoch={epoch}
          onClose={() => setSelectedId(null)}
          onUnauthorized={onUnauthorized}
        />
      )}
    </main>
  );
}
