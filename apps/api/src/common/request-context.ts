import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  sessionId?: string;
}

/**
 * Carries the request id (and, once known, the session id) into every log line of a request,
 * when LOG_REQUEST_CONTEXT=on (create-app); otherwise nothing runs in it and tagSession is a no-op.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function tagSession(sessionId: string): void {
  const store = requestContext.getStore();
  if (store) store.sessionId = sessionId;
}
