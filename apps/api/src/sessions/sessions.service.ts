import { Injectable } from '@nestjs/common';
import type { Channel } from '@threadline/contracts';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { SessionEvents } from './session-events.js';
import { ApiError } from '@api/common/api-error.js';
import { SessionRepository, type AppendOptions, type SessionIdentity } from './session.repository.js';
import type { EndedBy, MessageRow, NewMessage, SessionRow } from './session.types.js';
import { KnownSessions } from './known-sessions.js';
import { WindowCache, type CachedWindow, type WindowRow } from './window-cache.js';

export interface Appended {
  row: MessageRow;
  /** the session's window after this message, when asked for and the cache had it */
  window: WindowRow[] | null;
}

export interface ResolvedSession {
  session: SessionRow;
  /** this call opened the session */
  created: boolean;
  /** the key had an earlier thread that had expired or been cleared */
  replacedEnded: boolean;
}

/** A cached-window read started before a turn's user message was stored (SessionsService.peekWindow). */
export interface WindowPeek {
  /** the thread's remembered session (the object appends update) */
  session: SessionRow;
  window: Promise<CachedWindow | null>;
}

/** What a thread's window will be once a message is stored, if it lands where the peek says. */
export interface PredictedWindow {
  session: SessionRow;
  /** the seq the message must get for `rows` to hold */
  seq: number;
  rows: WindowRow[];
  /** the session's summary when predicted: a fold that lands meanwhile changes what the model sees */
  summary: Pick<SessionRow, 'summary' | 'summary_through_seq'>;
}

const EMPTY_WINDOW: CachedWindow = Object.freeze({ throughSeq: 0, rows: [] });

/** The Session aggregate's lifecycle (DESIGN §3): get-or-create, TTLs, clear, expire, delete. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: SessionEvents,
    private readonly windows: WindowCache,
  ) {}

  private readonly known = new KnownSessions();

  /**
   * Idempotent under concurrency: racing first messages meet on the partial unique index.
   * A thread's active session is remembered here: every append checks in the same
   * statement that the session is still active, so a session ended elsewhere is caught
   * there (the caller then calls `forget` and asks again).
   */
  async getOrCreate(identity: SessionIdentity): Promise<ResolvedSession> {
    const known = this.known.get(identity.channel, identity.key);
    if (known && !this.isOverdue(known)) return { session: known, created: false, replacedEnded: false };
    const resolved = await this.resolve(identity);
    this.known.remember(resolved.session);
    return resolved;
  }

  /**
   * Starts reading the cached window of the thread's remembered session, so that the read
   * shares a round trip with whatever the caller sends in the same tick (the turn lock).
   * Taken before the lock is granted, it may be stale: `append` only uses it when it is
   * current through the seq just before the message it stores.
   */
  peekWindow(identity: SessionIdentity): WindowPeek | null {
    const known = this.known.get(identity.channel, identity.key);
    return known ? this.peekOf(known) : null;
  }

  /**
   * The window of `session` as a peek. One with nothing stored yet (opened by this turn, or
   * before its first message, as a widget's is) is empty and needs no read. Should another
   * instance have stored in it meanwhile, the append's seq says so and the peek goes unused.
   */
  peekOf(session: SessionRow): WindowPeek {
    return { session, window: session.message_count === 0 ? Promise.resolve(EMPTY_WINDOW) : this.windows.read(session.id) };
  }

  /**
   * The window after `message` is appended, from a peek, before the append returns: null
   * when the peek missed. It holds only if the message gets `seq` in `session`; the caller
   * checks that against what the append returns (`isFulfilledBy`).
   */
  async predictWindow(peek: WindowPeek, message: Pick<WindowRow, 'role' | 'content' | 'token_count'>): Promise<PredictedWindow | null> {
    const cached = await peek.window;
    if (!cached) return null;
    const seq = cached.throughSeq + 1;
    const rows = this.windows.after(cached, { role: message.role, content: message.content, token_count: message.token_count, seq, tool_calls: null, tool_call_id: null, status: 'complete' });
    const { summary, summary_through_seq } = peek.session;
    return rows && { session: peek.session, seq, rows, summary: { summary, summary_through_seq } };
  }

  /** The remembered session turned out ended (an append was refused): look it up afresh next time. */
  forget(identity: SessionIdentity): void {
    this.known.forget(identity.channel, identity.key);
  }

  private async resolve(identity: SessionIdentity): Promise<ResolvedSession> {
    let replacedEnded = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock.now();
      const ttl = this.config.sessionTtl[identity.channel];
      const maxExpiresAt = new Date(now.getTime() + ttl.maxAgeSeconds * 1000);
      const expiresAt = new Date(Math.min(now.getTime() + ttl.idleSeconds * 1000, maxExpiresAt.getTime()));
      const { created, latest } = await this.repo.findOrCreate(identity, now, expiresAt, maxExpiresAt);
      if (created) {
        this.events.emit('created', created);
        return { session: created, created: true, replacedEnded: replacedEnded || latest !== null };
      }
      if (latest?.status === 'active') {
        if (!this.isOverdue(latest, now)) return { session: latest, created: false, replacedEnded };
        // Lazy expiry: a stopped sweeper must never serve stale context.
        await this.endWith(latest, 'expired', 'ttl');
        replacedEnded = true;
      }
      // Otherwise another request opened the key's session meanwhile: read it again.
    }
    throw new Error(`could not resolve session ${identity.channel}:${identity.key}`);
  }

  findActive(channel: Channel, key: string): Promise<SessionRow | null> {
    return this.repo.findActive(channel, key);
  }

  findLatest(channel: Channel, key: string): Promise<SessionRow | null> {
    return this.repo.findLatest(channel, key);
  }

  findById(id: string): Promise<SessionRow | null> {
    return this.repo.findById(id);
  }

  /** Active and not overdue; ends it on the spot when it is overdue. */
  async currentOf(channel: Channel, key: string): Promise<SessionRow | null> {
    const session = await this.repo.findActive(channel, key);
    if (session && this.isOverdue(session, this.clock.now())) {
      await this.endWith(session, 'expired', 'ttl');
      return null;
    }
    return session;
  }

  isOverdue(session: SessionRow, now = this.clock.now()): boolean {
    return session.status === 'active' && session.expires_at.getTime() <= now.getTime();
  }

  /**
   * Stores a message at the session's next seq; null when the session is no longer active.
   * A turn passes its lock's fence: when a newer holder has written, the write is refused.
   */
  async append(session: SessionRow, message: NewMessage, options: AppendOptions & { readWindow?: boolean; peeked?: WindowPeek | null } = {}): Promise<Appended | null> {
    const now = this.clock.now();
    const idleMs = this.config.sessionTtl[session.channel].idleSeconds * 1000;
    const appended = await this.repo.appendMessage(session.id, message, now, new Date(now.getTime() + idleMs), activityStepOf(idleMs), options);
    if (!appended) {
      this.known.forget(session.channel, session.key);
      if (options.fence != null && (await this.repo.isFencedOut(session.id, options.fence))) {
        throw new ApiError('unavailable', 'this conversation moved on while your message was being answered; please send it again', { 'retry-after': '1' });
      }
      return null;
    }
    const { session_status, session_summary, session_summary_through_seq, session_expires_at, session_last_activity_at, ...row } = appended;
    // The caller's row (and the remembered one) now says what the store says.
    Object.assign(session, {
      status: session_status,
      summary: session_summary,
      summary_through_seq: session_summary_through_seq,
      expires_at: session_expires_at,
      last_activity_at: session_last_activity_at,
      message_count: row.seq,
    });
    if (options.readWindow) {
      // Seq 1 is the thread's first message: nothing comes before it, so no read is needed.
      const peeked = row.seq === 1 ? EMPTY_WINDOW : options.peeked?.session.id === session.id ? await options.peeked.window : null;
      const window = this.windows.after(peeked, row);
      // The peek was current: the report need not be waited for, nor sent on its own (the
      // turn's next report or its end carries it, before the lock release; see below).
      if (window) this.windows.deferStored(row);
      return { row, window: window ?? (await this.windows.recordStored(row, true)) };
    }
    // Not awaited: whoever reads this window next is behind our turn lock, whose release
    // goes out after this report on the same connection; a report that still comes late
    // only leaves the entry out of step (a miss), never stale.
    void this.windows.recordStored(row);
    return { row, window: null };
  }

  /** Sends the window-cache reports held back for a later round trip (WindowCache.deferStored). */
  flushWindowReports(): void {
    this.windows.flushDeferred();
  }

  /** The next message to this key starts a fresh thread; the transcript stays for staff. */
  async clear(session: SessionRow, by: EndedBy): Promise<SessionRow | null> {
    return this.endWith(session, 'cleared', by);
  }

  async expire(session: SessionRow, by: EndedBy): Promise<SessionRow | null> {
    return this.endWith(session, 'expired', by);
  }

  async delete(session: SessionRow, by: EndedBy): Promise<SessionRow | null> {
    const wasActive = session.status === 'active';
    this.known.forget(session.channel, session.key);
    const deleted = await this.repo.purge(session.id, by, this.clock.now());
    await this.windows.drop(session.id);
    if (deleted) {
      // The widget still knows the old key; tell it its conversation is gone.
      if (wasActive) this.events.emit('ended', { ...deleted, key: session.key, channel: session.channel }, by);
      this.events.emit('updated', deleted);
    }
    return deleted;
  }

  private async endWith(session: SessionRow, status: 'expired' | 'cleared', by: EndedBy): Promise<SessionRow | null> {
    this.known.forget(session.channel, session.key);
    const ended = await this.repo.end(session.id, status, by, this.clock.now());
    if (ended) {
      await this.windows.drop(ended.id);
      this.events.emit('ended', ended, by);
      this.events.emit('updated', ended);
    }
    return ended;
  }
}

/**
 * How far the activity timestamps may lag a message (appendMessagesSql):
 * a second, or a hundredth of a short idle limit, so expiry is never early by more.
 */
export function activityStepOf(idleMs: number): number {
  return Math.floor(Math.min(1000, idleMs / 100));
}
