import type { ChatClientToServer, ChatServerToClient, CreateWebSessionResponse, ErrorBody, MessageDone } from '@threadline/contracts';
import { io, type Socket } from 'socket.io-client';
import type { Conversation } from './conversation.js';
import type { SavedSession, SessionStore } from './storage.js';

type ChatSocket = Socket<ChatServerToClient, ChatClientToServer>;

export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected'; sessionId: string }
  | { kind: 'reconnecting' }
  | { kind: 'unavailable'; message: string };

export interface ClientListener {
  /** the conversation changed: re-render */
  changed(): void;
  connection(state: ConnectionState): void;
  answered(done: MessageDone): void;
}

const CHAT_NAMESPACE = '/chat';

/** Ids the server can dedupe a resend by; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newLocalId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The widget's link to the api: a web session (created on first use, kept in the chosen
 * storage) and the `/chat` socket. Every (re)connect resyncs from the last seq seen, so a
 * dropped link loses nothing whether or not socket.io could recover the connection.
 */
export class ChatClient {
  private session: SavedSession | null;
  private socket: ChatSocket | null = null;
  private opening: Promise<ChatSocket> | null = null;
  private resyncs = 0;
  private renewedOnce = false;
  /** messages whose ack was lost with the link: resent (deduped by id) unless the resync shows them stored */
  private readonly unconfirmed = new Map<string, string>();

  constructor(
    private readonly apiOrigin: string,
    private readonly store: SessionStore,
    private readonly conversation: Conversation,
    private readonly listener: ClientListener,
  ) {
    this.session = store.load();
  }

  get sessionId(): string | null {
    return this.session?.sessionId ?? null;
  }

  /** Connects, creating a session first if there is none; repeated calls share one attempt. */
  open(): Promise<ChatSocket> {
    this.opening ??= this.connect().catch((error: unknown) => {
      this.opening = null;
      this.listener.connection({ kind: 'unavailable', message: messageOf(error) });
      throw error;
    });
    return this.opening;
  }

  async send(text: string): Promise<void> {
    const localId = newLocalId();
    this.conversation.sendLocal(localId, text);
    this.listener.changed();
    await this.deliver(localId, text);
  }

  /** Clear button and Ctrl/Cmd+K: the same session id opens a fresh thread on the next message. */
  async clear(): Promise<void> {
    this.conversation.clearLocal();
    this.listener.changed();
    const socket = this.socket;
    if (socket?.connected) {
      await socket
        .timeout(10_000)
        .emitWithAck('session:clear')
        .catch(() => this.clearOverRest(this.session));
    } else {
      await this.clearOverRest(this.session);
    }
  }

  /** Close with data-clear-on-close: end the thread, forget the session; the next open starts anew. */
  async end(): Promise<void> {
    const socket = this.socket;
    const session = this.session;
    this.store.forget();
    this.session = null;
    this.socket = null;
    this.opening = null;
    this.unconfirmed.clear();
    this.conversation.reset();
    this.listener.changed();
    this.listener.connection({ kind: 'idle' });
    if (socket?.connected) await socket.timeout(3_000).emitWithAck('session:clear').catch(() => this.clearOverRest(session));
    else await this.clearOverRest(session);
    socket?.disconnect();
  }

  private async connect(): Promise<ChatSocket> {
    this.listener.connection({ kind: 'connecting' });
    const session = this.session ?? (await this.createSession());
    const socket: ChatSocket = io(`${this.apiOrigin}${CHAT_NAMESPACE}`, {
      auth: { sessionId: session.sessionId, token: session.token },
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      withCredentials: false,
      // Backoff: 0.5 s doubling to 10 s, jittered so a restarted server is not hit by every widget at once.
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
      timeout: 15_000,
    });
    this.socket = socket;
    this.wire(socket, session);
    return socket;
  }

  private wire(socket: ChatSocket, session: SavedSession): void {
    const live = () => this.socket === socket;
    const on = <E extends keyof ChatServerToClient>(event: E, handler: (payload: Parameters<ChatServerToClient[E]>[0]) => void) =>
      socket.on(event, ((payload: Parameters<ChatServerToClient[E]>[0]) => {
        if (!live()) return;
        handler(payload);
        this.listener.changed();
      }) as never);

    socket.on('connect', () => {
      if (!live()) return;
      this.renewedOnce = false;
      this.listener.connection({ kind: 'connected', sessionId: session.sessionId });
      void this.resync(socket);
    });
    socket.on('disconnect', (reason) => {
      if (!live() || reason === 'io client disconnect') return;
      this.listener.connection({ kind: 'reconnecting' });
      // The server let go of us on purpose (e.g. a restart); socket.io leaves reconnecting to the client then.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.io.on('reconnect_attempt', () => live() && this.listener.connection({ kind: 'reconnecting' }));
    socket.on('connect_error', (error) => {
      if (!live()) return;
      const code = (error as { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized' && !this.renewedOnce) {
        // The token no longer opens the session (e.g. a rotated SESSION_SECRET): start a new one.
        this.renewedOnce = true;
        void this.renewSession(socket);
        return;
      }
      if (socket.active) this.listener.connection({ kind: 'reconnecting' });
      else this.listener.connection({ kind: 'unavailable', message: (error as { data?: { message?: string } }).data?.message ?? error.message });
    });

    on('message:user', (turn) => this.conversation.started(turn));
    on('message:delta', (delta) => this.conversation.delta(delta));
    on('status', (status) => this.conversation.statusChanged(status));
    on('message:done', (done) => {
      this.conversation.done(done);
      this.listener.answered(done);
    });
    on('error', (error) => this.conversation.notice('error', error.message));
    on('session:expired', (ended) => this.conversation.endThread(ended.reason, ended.by));
  }

  private async resync(socket: ChatSocket): Promise<void> {
    const generation = ++this.resyncs;
    const afterSeq = this.conversation.beginResync();
    try {
      const reply = await socket.timeout(15_000).emitWithAck('session:resync', { afterSeq });
      if (generation !== this.resyncs || !this.socket) return;
      if (reply.ok) this.conversation.resynced(reply.data);
      else this.conversation.resyncFailed();
    } catch {
      if (generation === this.resyncs) this.conversation.resyncFailed();
    }
    this.listener.changed();
    for (const [localId, text] of [...this.unconfirmed]) {
      this.unconfirmed.delete(localId);
      if (this.conversation.isUnconfirmed(localId)) void this.deliver(localId, text);
    }
  }

  private async deliver(localId: string, text: string): Promise<void> {
    let socket: ChatSocket;
    try {
      socket = await this.open();
    } catch (error) {
      this.conversation.sendSettled(localId, { ok: false, message: `Not sent: ${messageOf(error)}` });
      this.listener.changed();
      return;
    }
    try {
      const reply = await socket.emitWithAck('message:send', { text, clientMessageId: localId });
      if (reply.ok) {
        this.conversation.started(reply.data);
        this.conversation.sendSettled(localId, { ok: true });
      } else if (reply.error.code === 'conflict') {
        // A resend of a message the server already has and is still answering.
        this.conversation.sendSettled(localId, { ok: true });
      } else {
        this.conversation.sendSettled(localId, { ok: false, message: reply.error.message });
      }
    } catch {
      // The link dropped before the ack: the next resync tells whether the server has it.
      if (this.socket === socket) this.unconfirmed.set(localId, text);
    }
    this.listener.changed();
  }

  private async renewSession(old: ChatSocket): Promise<void> {
    old.disconnect();
    this.store.forget();
    this.session = null;
    this.socket = null;
    this.opening = null;
    this.conversation.reset();
    this.listener.changed();
    await this.open().catch(() => undefined);
  }

  private async createSession(): Promise<SavedSession> {
    const response = await fetch(`${this.apiOrigin}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: 'omit',
    });
    const body = (await response.json().catch(() => null)) as (CreateWebSessionResponse & Partial<ErrorBody>) | null;
    if (!response.ok || !body?.sessionId || !body.token) throw new Error(body?.error?.message ?? `the chat service answered ${response.status}`);
    const session = { sessionId: body.sessionId, token: body.token };
    this.session = session;
    this.store.save(session);
    return session;
  }

  private async clearOverRest(session: SavedSession | null): Promise<void> {
    if (!session) return;
    await fetch(`${this.apiOrigin}/api/sessions/${encodeURIComponent(session.sessionId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${session.token}` },
      credentials: 'omit',
      keepalive: true,
    }).catch(() => undefined);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof TypeError) return 'the chat service cannot be reached';
  return error instanceof Error ? error.message : String(error);
}
