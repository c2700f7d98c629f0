import { useEffect, useState } from 'react';

export type Page = 'sessions' | 'usage' | 'audit' | 'keys' | 'staff';
export interface Route {
  page: Page;
  /** the transcript open beside the sessions list */
  sessionId: string | null;
}

const PAGES: readonly Page[] = ['sessions', 'usage', 'audit', 'keys', 'staff'];

/**
 * Routes live in the hash (`#/usage`, `#/sessions/<id>`): links survive a reload and can be
 * shared, and no server path can ever collide with one.
 */
export function parseRoute(hash: string): Route {
  const [page, sessionId] = hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.find((p) => p === page);
  if (!known) return { page: 'sessions', sessionId: null };
  return { page: known, sessionId: known === 'sessions' && sessionId ? decodeURIComponent(sessionId) : null };
}

export function routeHref(route: Partial<Route> & { page: Page }): string {
  return route.page === 'sessions' && route.sessionId ? `#/sessions/${encodeURIComponent(route.sessionId)}` : `#/${route.page}`;
}

export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const sync = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, []);
  const navigate = (next: Route) => {
    window.location.hash = routeHref(next);
    // hashchange fires asynchronously; update now so the click feels immediate.
    setRoute(next);
  };
  return [route, navigate];
}
