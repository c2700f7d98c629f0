// Minimal clients of the gateway's three turn paths (web REST, integrator SSE, /chat socket)
// that never throw: each turn ends in one Outcome, so fault and soak runs can count what
// every caller saw and check it against what was stored.
import { io, type Socket } from 'socket.io-client';
import type { ChatClientToServer, ChatServerToClient, ChatStreamEvent, MessageDone, MessageDto } from '@threadline/contracts';

export type ChatSocket = Socket<ChatServerToClient, ChatClientToServer>;
type AnswerStatus = 'complete' | 'partial' | 'error';

export type Outcome =
  /** the turn ended with a stored answer (complete, partial, or an error row) */
  | { kind: 'answered'; status: AnswerStatus; content: string; errorCode: string | null; httpStatus: number }
  /** a clear refusal: the documented error shape, no stack trace */
  | { kind: 'refused'; httpStatus: number; code: string; message: string }
  /** anything unclear: a 500, a body without the error shape, a stream that ended without `done` */
  | { kind: 'broken'; httpStatus: number; detail: string }
  /** the connection died under the client (the server went away) */
  | { kind: 'cut'; detail: string }
  | { kind: 'timeout' };

export interface WebSession {
  sessionId: string;
  token: string;
}
export interface Integrator {
  key: string;
  userId: string;
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.[cm]?[jt]s:\d+:\d+/;

function refusalOf(httpStatus: number, body: unknown): Outcome {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (httpStatus >= 400 && httpStatus !== 500 && typeof error?.code === 'string' && typeof error.message === 'string' && !STACK.test(error.message)) {
    return { kind: 'refused', httpStatus, code: error.code, message: error.message };
  }
  return { kind: 'broken', httpStatus, detail: JSON.stringify(body)?.slice(0, 500) ?? String(body) };
}

function failureOf(error: unknown): Outcome {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout' };
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return { kind: 'cut', detail: `${(error as Error)?.message ?? String(error)}${cause ? ` (${cause.code ?? cause.message})` : ''}` };
}

export async function newWebSession(base: string): Promise<WebSession> {
  const response = await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await response.json()) as WebSession;
  if (response.status !== 201 || !body.sessionId) throw new Error(`POST /api/sessions answered ${response.status}: ${JSON.stringify(body)}`);
  return { sessionId: body.sessionId, token: body.token };
}

export async function newApiKey(base: string, masterKey: string): Promise<string> {
  const response = await fetch(`${base}/api/admin/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
    body: JSON.stringify({ name: 'fault-tests' }),
  });
  const body = (await response.json()) as { secret?: string };
  if (!body.secret) throw new Error(`api key creation answered ${response.status}: ${JSON.stringify(body)}`);
  return body.secret;
}

/** POST /api/sessions/:id/messages */
export async function webTurn(base: string, session: WebSession, text: string, timeoutMs = 15_000): Promise<Outcome> {
  try {
    const response = await fetch(`${base}/api/sessions/${session.sessionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ message: text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const raw = await response.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* kept as text: refusalOf reports it as broken */
    }
    if (response.status === 200) {
      const message = (body as { message?: MessageDto }).message;
      if (!message) return { kind: 'broken', httpStatus: 200, detail: raw.slice(0, 500) };
      return { kind: 'answered', status: message.status, content: message.content, errorCode: null, httpStatus: 200 };
    }
    return refusalOf(response.status, body);
  } catch (error) {
    return failureOf(error);
  }
}

export async function webHistory(base: string, session: WebSession): Promise<MessageDto[]> {
  const response = await fetch(`${base}/api/sessions/${session.sessionId}/messages?limit=500`, { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) throw new Error(`web history answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { messages: MessageDto[] }).messages;
}

const integratorHeaders = (who: Integrator) => ({ 'content-type': 'application/json', authorization: `Bearer ${who.key}`, 'x-user-id': who.userId });

/**
 * POST /api/chat/stream. `onToken` sees each token as it arrives; aborting `signal` walks
 * away mid-stream (the turn goes on server-side), which ends as `cut`.
 */
export async function sseTurn(
  base: string,
  who: Integrator,
  text: string,
  options: { timeoutMs?: number; onToken?: (soFar: string) => void; signal?: AbortSignal } = {},
): Promise<Outcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let tokens = '';
  let error: { code: string; message: string } | null = null;
  try {
    const response = await fetch(`${base}/api/chat/stream`, { method: 'POST', headers: integratorHeaders(who), body: JSON.stringify({ message: text }), signal });
    if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      const raw = await response.text();
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* reported as broken */
      }
      return refusalOf(response.status, body);
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as ChatStreamEvent;
        if (event.type === 'token') {
          tokens += event.content;
          options.onToken?.(tokens);
        } else if (event.type === 'error') {
          if (STACK.test(event.message)) return { kind: 'broken', httpStatus: 200, detail: `stack trace in an error event: ${event.message}` };
          error = { code: event.code, message: event.message };
        } else if (event.type === 'done') {
          await reader.cancel().catch(() => undefined);
          return { kind: 'answered', status: event.status, content: event.status === 'error' ? '' : tokens, errorCode: error?.code ?? null, httpStatus: 200 };
        }
      }
    }
    // An error event with no `done` after it: the turn failed after the stream opened (e.g. storage went away).
    if (error) return { kind: 'refused', httpStatus: 200, code: error.code, message: error.message };
    return { kind: 'broken', httpStatus: 200, detail: `stream ended without done after ${JSON.stringify(tokens)}` };
  } catch (failure) {
    return failureOf(failure);
  }
}

export async function integratorHistory(base: string, who: Integrator): Promise<Array<Pick<MessageDto, 'seq' | 'role' | 'content' | 'status'>>> {
  const response = await fetch(`${base}/api/chat/history?limit=500`, { headers: integratorHeaders(who) });
  if (!response.ok) throw new Error(`integrator history answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { messages: MessageDto[] }).messages;
}

export function openChatSocket(base: string, session: WebSession, options: { reconnection?: boolean } = {}): ChatSocket {
  return io(`${base}/chat`, {
    auth: { sessionId: session.sessionId, token: session.token },
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    randomizationFactor: 0.2,
  });
}

export function socketConnected(socket: ChatSocket, timeoutMs = 10_000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('socket did not connect in time'));
    }, timeoutMs);
    const onConnect = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      // With reconnection on, socket.io keeps trying; only a refusal is final.
      if (socket.active) return;
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/**
 * message:send, then the turn's message:done (or the error event that replaces it).
 * `onDelta` sees the answer text as it streams.
 */
export function socketTurn(
  socket: ChatSocket,
  text: string,
  options: { timeoutMs?: number; clientMessageId?: string; onAck?: (turnId: string) => void; onDelta?: (soFar: string) => void } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    let turnId: string | null = null;
    const dones = new Map<string, MessageDone>();
    const errors = new Map<string, { code: string; message: string }>();
    const deltas = new Map<string, string>();
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('message:done', onDone);
      socket.off('message:delta', onDelta);
      socket.off('error', onError);
      socket.off('disconnect', onDisconnect);
      resolve(outcome);
    };
    const check = () => {
      if (!turnId) return;
      const done = dones.get(turnId);
      if (done) return finish({ kind: 'answered', status: done.message.status, content: done.message.content, errorCode: null, httpStatus: 200 });
      const error = errors.get(turnId);
      if (error) finish(STACK.test(error.message) ? { kind: 'broken', httpStatus: 200, detail: error.message } : { kind: 'refused', httpStatus: 200, code: error.code, message: error.message });
    };
    const onDone = (done: MessageDone) => (dones.set(done.turnId, done), check());
    const onDelta = ({ turnId: id, text: piece }: { turnId: string; text: string }) => {
      const soFar = (deltas.get(id) ?? '') + piece;
      deltas.set(id, soFar);
      if (id === turnId) options.onDelta?.(soFar);
    };
    const onError = (payload: { code: string; message: string; turnId?: string | null }) => {
      // A refusal after the ack names its turn; one that never got an ack arrives only here.
      if (payload.turnId) errors.set(payload.turnId, payload);
      else if (!turnId) finish({ kind: 'refused', httpStatus: 200, code: payload.code, message: payload.message });
      check();
    };
    const onDisconnect = (reason: string) => finish({ kind: 'cut', detail: reason });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), options.timeoutMs ?? 15_000);
    socket.on('message:done', onDone);
    socket.on('message:delta', onDelta);
    socket.on('error', onError);
    socket.on('disconnect', onDisconnect);
    socket.emit('message:send', { text, ...(options.clientMessageId ? { clientMessageId: options.clientMessageId } : {}) }, (reply) => {
      if (!reply.ok) {
        const { code, message } = reply.error;
        return finish(STACK.test(message) ? { kind: 'broken', httpStatus: 200, detail: message } : { kind: 'refused', httpStatus: 200, code, message });
      }
      turnId = reply.data.turnId;
      options.onAck?.(turnId);
      const soFar = deltas.get(turnId);
      if (soFar) options.onDelta?.(soFar);
      check();
    });
  });
}
