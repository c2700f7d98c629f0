import { Injectable } from '@nestjs/common';
import type { Channel } from '@threadline/contracts';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { SessionEvents } from './session-events.js';
import { SessionRepository, type SessionIdentity } from './session.repository.js';
import type { EndedBy, MessageRow, NewMessage, SessionRow } from './session.types.js';

export interface ResolvedSession {
  session: SessionRow;
  /** this call opened the session */
  created: boolean;
  /** the key had an earlier thread that had expired or been cleared */
  replacedEnded: boolean;
}

/** The Session aggregate's lifecycle (DESIGN §3): get-or-create, TTLs, clear, expire, delete. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: SessionEvents,
  ) {}

  /** Idempotent under concurrency: racing first messages meet on the partial unique index. */
  async getOrCreate(identity: SessionIdentity): Promise<ResolvedSession> {
    let replacedEnded = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock.now();
      const existing = await this.repo.findActive(identity.channel, identity.key);
      if (existing && !this.isOverdue(existing, now)) return { session: existing, created: false, replacedEnded };
      if (existing) {
        // Lazy expiry: a stopped sweeper must never serve stale context.
        await this.endWith(existing, 'expired', 'ttl');
        replacedEnded = true;
        continue;
      }
      if (!replacedEnded) replacedEnded = (await this.repo.findLatest(identity.channel, identity.key)) !== null;
      const ttl = this.config.sessionTtl[identity.channel];
      const maxExpiresAt = new Date(now.getTime() + ttl.maxAgeSeconds * 1000);
      const expiresAt = new Date(Math.min(now.getTime() + ttl.idleSeconds * 1000, maxExpiresAt.getTime()));
      const created = await this.repo.tryCreate(identity, now, expiresAt, maxExpiresAt);
      if (created) {
        this.events.emit('created', created);
        return { session: created, created: true, replacedEnded };
      }
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

  async append(session: SessionRow, message: NewMessage, evenIfEnded = false): Promise<MessageRow | null> {
    const now = this.clock.now();
    const idleExpiresAt = new Date(now.getTime() + this.config.sessionTtl[session.channel].idleSeconds * 1000);
    return this.repo.appendMessage(session.id, message, now, idleExpiresAt, evenIfEnded);
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
    const deleted = await this.repo.purge(session.id, by, this.clock.now());
    if (deleted) {
      // The widget still knows the old key; tell it its conversation is gone.
      if (wasActive) this.events.emit('ended', { ...deleted, key: session.key, channel: session.channel }, by);
      this.events.emit('updated', deleted);
    }
    return deleted;
  }

  private async endWith(session: SessionRow, status: 'expired' | 'cleared', by: EndedBy): Promise<SessionRow | null> {
    const ended = await this.repo.end(session.id, status, by, this.clock.now());
    if (ended) {
      this.events.emit('ended', ended, by);
      this.events.emit('updated', ended);
    }
    return ended;
  }
}
