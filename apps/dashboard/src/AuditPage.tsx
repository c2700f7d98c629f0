import { useEffect, useState } from 'react';
import type { AuditEntryDto } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { formatTime } from './format';
import { routeHref } from './route';

/** The actions the api records today; the filter is a convenience, the log shows whatever it holds. */
const ACTIONS = ['session.clear', 'session.expire', 'session.delete', 'api-key.create', 'api-key.update', 'api-key.revoke', 'staff.create', 'staff.update', 'staff.delete'];

export function AuditPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [action, setAction] = useState('');
  const [entries, setEntries] = useState<AuditEntryDto[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const fail = (err: unknown) => {
    if (isUnauthorized(err)) onUnauthorized();
    else setError(errorMessage(err));
  };

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(null);
    api.audit(action).then(
      (page) => {
        if (!current) return;
        setEntries(page.entries);
        setNextCursor(page.nextCursor);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setLoading(false);
        fail(err);
      },
    );
    return () => {
      current = false;
    };
  }, [action, onUnauthorized]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoading(true);
    try {
      const page = await api.audit(action, nextCursor);
      setEntries((current) => [...current, ...page.entries.filter((e) => !current.some((c) => c.id === e.id))]);
      setNextCursor(page.nextCursor);
    } catch (err) {
      fail(err);
    } finally {
      setLoading(false);
    }
  }

  return (
    <main className="page">
      <div className="toolbar">
        <h2>Audit log</h2>
        <select aria-label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">All actions</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        {loading && <span className="muted">Loading…</span>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="grid" aria-label="Audit log">
        <thead>
          <tr>
            <th>Time</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td className="mono">{formatTime(e.at)}</td>
              <td className="mono">{e.actor}</td>
              <td>{e.action}</td>
              <td className="mono">
                {e.target && e.action.startsWith('session.') ? <a href={routeHref({ page: 'sessions', sessionId: e.target })}>{e.target}</a> : (e.target ?? '—')}
              </td>
              <td className="mono details">{e.details ? JSON.stringify(e.details) : '—'}</td>
            </tr>
          ))}
          {!loading && entries.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                Nothing recorded yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {nextCursor && (
        <button type="button" className="more" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      )}
    </main>
  );
}
