import { useCallback, useEffect, useState } from 'react';
import type { StaffDto, StaffRole } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { ApiKeysPage } from './ApiKeysPage';
import { AuditPage } from './AuditPage';
import { LoginPage } from './LoginPage';
import { atLeast } from './roles';
import { routeHref, useRoute, type Page, type Route } from './route';
import { SessionsPage } from './SessionsPage';
import type { SocketFactory } from './socket';
import { StaffPage } from './StaffPage';
import { UsagePage } from './UsagePage';

const NAV: Array<{ page: Page; label: string; role: StaffRole }> = [
  { page: 'sessions', label: 'Sessions', role: 'viewer' },
  { page: 'usage', label: 'Usage & cost', role: 'viewer' },
  { page: 'keys', label: 'API keys', role: 'admin' },
  { page: 'audit', label: 'Audit log', role: 'admin' },
  { page: 'staff', label: 'Staff', role: 'admin' },
];

type Auth = { state: 'checking' } | { state: 'signed-out'; notice: string | null } | { state: 'signed-in'; staff: StaffDto };

export function App({ connectSocket }: { connectSocket: SocketFactory }) {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [logoutError, setLogoutError] = useState<string | null>(null);
  const [route, navigate] = useRoute();

  useEffect(() => {
    let current = true;
    api.me().then(
      ({ staff }) => {
        if (current) setAuth({ state: 'signed-in', staff });
      },
      (err: unknown) => {
        // A 401 is the ordinary signed-out case; anything else (server down) is worth saying.
        if (current) setAuth({ state: 'signed-out', notice: isUnauthorized(err) ? null : errorMessage(err) });
      },
    );
    return () => {
      current = false;
    };
  }, []);

  const expired = useCallback(() => setAuth({ state: 'signed-out', notice: 'Your session has ended; sign in again.' }), []);

  async function logout() {
    setLogoutError(null);
    try {
      await api.logout();
      setAuth({ state: 'signed-out', notice: null });
    } catch (err) {
      if (isUnauthorized(err)) setAuth({ state: 'signed-out', notice: null });
      // Otherwise the cookie is still set, so pretending to be signed out would be a lie.
      else setLogoutError(errorMessage(err));
    }
  }

  if (auth.state === 'checking') return <p className="centered">Loading…</p>;
  if (auth.state === 'signed-out') {
    return <LoginPage notice={auth.notice} onSignedIn={(staff) => setAuth({ state: 'signed-in', staff })} />;
  }
  const staff = auth.staff;
  const allowed = atLeast(staff.role, NAV.find((n) => n.page === route.page)?.role ?? 'admin');
  return (
    <div className="app">
      <header className="topbar">
        <h1>Threadline</h1>
        <nav aria-label="Pages">
          {NAV.filter((n) => atLeast(staff.role, n.role)).map((n) => (
            <a key={n.page} href={routeHref({ page: n.page })} aria-current={route.page === n.page ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span className="who">
          {staff.email} <span className="role">{staff.role}</span>
        </span>
        {logoutError && <span className="error">{logoutError}</span>}
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      {allowed ? (
        <CurrentPage route={route} navigate={navigate} staff={staff} connectSocket={connectSocket} onUnauthorized={expired} />
      ) : (
        <main className="page">
          <p className="notice">This page needs the admin role; you are {staff.role}.</p>
        </main>
      )}
    </div>
  );
}

interface PageProps {
  route: Route;
  navigate: (route: Route) => void;
  staff: StaffDto;
  connectSocket: SocketFactory;
  onUnauthorized: () => void;
}

function CurrentPage({ route, navigate, staff, connectSocket, onUnauthorized }: PageProps) {
  switch (route.page) {
    case 'sessions':
      return (
        <SessionsPage
          connectSocket={connectSocket}
          onUnauthorized={onUnauthorized}
          role={staff.role}
          selectedId={route.sessionId}
          onSelect={(sessionId) => navigate({ page: 'sessions', sessionId })}
        />
      );
    case 'usage':
      return <UsagePage onUnauthorized={onUnauthorized} />;
    case 'keys':
      return <ApiKeysPage onUnauthorized={onUnauthorized} />;
    case 'audit':
      return <AuditPage onUnauthorized={onUnauthorized} />;
    case 'staff':
      return <StaffPage me={staff} onUnauthorized={onUnauthorized} />;
  }
}
