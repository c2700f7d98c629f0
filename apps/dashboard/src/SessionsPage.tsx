import { useEffect, useRef, useState } from 'react';
import type { ApiKeyDto, SessionSummaryDto, StaffRole } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized, NO_FILTERS, type SessionFilters } from './api';
import { atLeast } from './roles';
import { SessionFiltersBar } from './SessionFiltersBar';
import { appendPage, mergeFirstPage, upsertSession } from './sessions';
import { SessionsTable } from './SessionsTable';
import type { SocketFactory } from './socket';
import { TranscriptView } from './TranscriptView';
import { useAdminSocket } from './useAdminSocket';

interface Props {
  connectSocket: SocketFactory;
  onUnauthorized: () => void;
  role: StaffRole;
  /** the open transcript, when the caller keeps it (in the URL); otherwise kept here */
  selectedId?: string | null;
  onSelect?: (id: string | null) => void;
}

export function SessionsPage({ connectSocket, onUnauthorized, role, selectedId: routed, onSelect }: Props) {
  const { socket, live, epoch } = useAdminSocket(connectSocket);
  const [filters, setFilters] = useState<SessionFilters>(NO_FILTERS);
  const [rows, setRows] = useState<SessionSummaryDto[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ownSelection, setOwnSelection] = useState<string | null>(null);
  const [apiKeys, setApiKeys] = useState<ApiKeyDto[] | null>(null);
  const selectedId = routed === undefined ? ownSelection : routed;
  const select = onSelect ?? setOwnSelection;
  // Responses to superseded requests (filters changed, reconnect) are dropped by generation.
  const generation = useRef(0);
  // Live events seen while the first page is in flight; the page must not overwrite them.
  const liveDuringLoad = useRef<SessionSummaryDto[] | null>(null);

  const fail = (err: unknown) => {
    if (isUnauthorized(err)) onUnauthorized();
    else setError(errorMessage(err));
  };

  useEffect(() => {
    // Only admins may list keys; the others filter by a pasted key id.
    if (!atLeast(role, 'admin')) return;
    let current = true;
    api.apiKeys().then(
      (keys) => current && setApiKeys(keys),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [role]);

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
          <h2>Sessions</h2>
          {loading && <span className="muted">Loading…</span>}
          <span className={live ? 'live on' : 'live'} title={live ? 'Receiving live updates' : 'Not connected; list may be stale'}>
            {live ? 'live' : 'offline'}
          </span>
        </div>
        <SessionFiltersBar filters={filters} onChange={setFilters} apiKeys={apiKeys} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <SessionsTable rows={rows} selectedId={selectedId} onSelect={select} />
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
          role={role}
          onClose={() => select(null)}
          onUnauthorized={onUnauthorized}
        />
      )}
    </main>
  );
}
