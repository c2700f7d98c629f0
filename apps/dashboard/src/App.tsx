import { useCallback, useEffect, useState } from 'react';
import type { StaffDto } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { LoginPage } from './LoginPage';
import { SessionsPage } from './SessionsPage';
import type { SocketFactory } from './socket';

type Auth = { state: 'checking' } | { state: 'signed-out'; notice: string | null } | { state: 'signed-in'; staff: StaffDto };

export function App({ connectSocket }: { connectSocket: SocketFactory }) {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [logoutError, setLogoutError] = useState<string | null>(null);

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
  return (
    <div className="app">
      <header className="topbar">
        <h1>Threadline</h1>
        <span className="who">
          {auth.staff.email} <span className="role">{auth.staff.role}</span>
        </span>
        {logoutError && <span className="error">{logoutError}</span>}
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <SessionsPage connectSocket={connectSocket} onUnauthorized={expired} />
    </div>
  );
}
