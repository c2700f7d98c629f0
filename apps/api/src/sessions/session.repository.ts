import { Injectable } from '@nestjs/common';
import type { Channel, SessionStatus } from '@threadline/contracts';
import { newId } from '@api/common/ids.js';
import { Database, STATEMENTS_PER_WRITE_LANE } from '@api/storage/database.js';
import { WriteBatcher } from '@api/common/write-batcher.js';
import { appendMessagesParams, appendMessagesSql, type AppendRequest, type AppendResultRow } from './append-messages.sql.js';
import type { EndedBy, MessageRow, NewMessage, SessionRow } from './session.types.js';
import type { WindowRow } from './window-cache.js';

/** The stored message, with the session's fields the append changed (or that others may have). */
export type AppendedRow = MessageRow & {
  session_status: SessionRow['status'];
  session_summary: string | null;
  session_summary_through_seq: number;
  session_expires_at: Date;
  session_last_activity_at: Date;
};

export interface AppendOptions {
  /** store it even though the session ended (the tail of a turn in flight when staff cleared it) */
  evenIfEnded?: boolean;
  /** the turn lock's fence: refused when a newer holder already wrote to the session */
  fence?: number | null;
  /**
   * false: commit without waiting for the WAL flush (an answer: the reply need not wait on
   * the disk). A Postgres crash can then lose it, but only at a thread's tail: any later
   * durable commit (the thread's next user message) flushes the WAL past it.
   */
  durable?: boolean;
}

export interface SessionIdentity {
  channel: Channel;
  key: string;
  tenant?: string | null;
  endUserId?: string | null;
  /** the API key a turn is made with (integrator channel): not part of the thread's identity, only of its billing */
  apiKeyId?: string | null;
}

@Injectable()
export class SessionRepository {
  private readonly appends;

  constructor(private readonly db: Database) {
    this.appends = { durable: this.appendLane(true), relaxed: this.appendLane(false) };
  }

  async findActive(channel: Channel, key: string): Promise<SessionRow | null> {
    const { rows } = await this.db.query<SessionRow>(`SELECT * FROM sessions WHERE channel = $1 AND key = $2 AND status = 'active'`, [channel, key]);
    return rows[0] ?? null;
  }

  /** The newest session of a key, whatever its status (what a client reconnecting to a thread should see). */
  async findLatest(channel: Channel, key: string): Promise<SessionRow | null> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT * FROM sessions WHERE channel = $1 AND key = $2 AND status <> 'deleted' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [channel, key],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<SessionRow | null> {
    const { rows } = await this.db.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * A thread's first turn in one round trip instead of three: the key's active session, or
   * else a new one inserted, and the key's newest session before it (the active one, or an
   * ended one, so the caller can tell a fresh key from a key whose thread ended). `created`
   * is null when an active session exists, or another one won the race (read it again).
   * The insert does not wait for the WAL flush: a session row lost in a Postgres crash is
   * opened again by its key, and the thread's first message, stored durably, flushes it.
   */
  async findOrCreate(identity: SessionIdentity, now: Date, expiresAt: Date, maxExpiresAt: Date): Promise<{ created: SessionRow | null; latest: SessionRow | null }> {
    const { rows } = await this.db.query<SessionRow & { made: boolean }>(
      `WITH latest AS (
         SELECT * FROM sessions WHERE channel = $2 AND key = $3 AND status <> 'deleted'
         ORDER BY (status = 'active') DESC, created_at DESC, id DESC LIMIT 1
       ), created AS (
         INSERT INTO sessions (id, channel, key, status, tenant, end_user_id, created_at, last_activity_at, expires_at, max_expires_at)
         SELECT $1, $2, $3, 'active', $4, $5, $6, $6, $7, $8
         WHERE NOT EXISTS (SELECT 1 FROM latest WHERE status = 'active')
           AND set_config('synchronous_commit', 'off', true) = 'off'
         ON CONFLICT (channel, key) WHERE status = 'active' DO NOTHING
         RETURNING *
       )
       SELECT true AS made, * FROM created UNION ALL SELECT false AS made, * FROM latest`,
      [newId(), identity.channel, identity.key, identity.tenant ?? null, identity.endUserId ?? null, now, expiresAt, maxExpiresAt],
    );
    let created: SessionRow | null = null;
    let latest: SessionRow | null = null;
    for (const { made, ...row } of rows) {
      if (made) created = row;
      else latest = row;
    }
    return { created, latest };
  }

  /**
   * Allocates the next `seq` and stores the message: the counter and the row commit or
   * roll back together, so seq stays gapless. Returns null when the session is no longer
   * active (unless `evenIfEnded`, for the tail of a turn in flight) or the fence is stale.
   * A message with usage is also folded into the usage aggregates in the same statement.
   * Appends that arrive while others are being written share one statement
   * (appendMessagesSql, WriteBatcher); durable and non-durable ones never share one.
   */
  appendMessage(
    sessionId: string,
    message: NewMessage,
    now: Date,
    idleExpiresAt: Date,
    activityStepMs: number,
    options: AppendOptions = {},
  ): Promise<AppendedRow | null> {
    const lane = (options.durable ?? true) ? this.appends.durable : this.appends.relaxed;
    return lane.submit({ sessionId, message, now, idleExpiresAt, activityStepMs, evenIfEnded: options.evenIfEnded ?? false, fence: options.fence ?? null });
  }

  private appendLane(durable: boolean): WriteBatcher<AppendRequest, AppendedRow | null> {
    return new WriteBatcher({
      // Two per lane, not one: one statement would batch a little better (+7% turns/s at
      // 50 connections, bench/README.md), but a single append held up by a row lock (a
      // staff purge of that conversation, say) would then hold up every conversation's.
      // PGlite is one connection anyway.
      maxInFlight: this.db.kind === 'postgres' ? STATEMENTS_PER_WRITE_LANE : 1,
      maxBatch: 32,
      keyOf: (request) => request.sessionId,
      run: async (requests) => {
        const { stored, params, counted } = appendMessagesParams(requests, durable);
        const { rows } = await this.db.queryOnWriteLane<AppendResultRow>(appendMessagesSql(requests.length, counted), params);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return stored.map((message) => {
          const result = byId.get(message.id);
          // Onto the row this call built rather than a spread into a new one: see copyWith.
          return result ? Object.assign(message, result) : null;
        });
      },
    });
  }

  /** A turn holding `fence` came after another holder wrote: its lease lapsed and it must not write. */
  async isFencedOut(sessionId: string, fence: number): Promise<boolean> {
    const { rows } = await this.db.query<{ stale: boolean }>(`SELECT turn_fence > $2::bigint AS stale FROM sessions WHERE id = $1`, [sessionId, fence]);
    return rows[0]?.stale ?? false;
  }

  /**
   * The window's candidates (newest first) and the session's message count in the same
   * snapshot, so the window cache can tell whether a write landed after this read.
   */
  async loadWindow(sessionId: string, limit: number): Promise<{ throughSeq: number; rows: WindowRow[] }> {
    const { rows } = await this.db.query<WindowRow & { through_seq: number }>(
      `SELECT s.message_count AS through_seq, m.seq, m.role, m.content, m.tool_calls, m.tool_call_id, m.token_count
       FROM sessions s
       LEFT JOIN LATERAL (SELECT * FROM messages WHERE session_id = s.id AND status <> 'error' ORDER BY seq DESC LIMIT $2) m ON true
       WHERE s.id = $1`,
      [sessionId, limit],
    );
    return { throughSeq: rows[0]?.through_seq ?? 0, rows: rows.filter((r) => r.seq !== null) };
  }

  /** The newest `limit` messages the model may see, newest first: one backward index range scan. */
  async loadNewest(sessionId: string, limit: number): Promise<MessageRow[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM messages WHERE session_id = $1 AND status <> 'error' ORDER BY seq DESC LIMIT $2`,
      [sessionId, limit],
    );
    return rows;
  }

  async listMessages(sessionId: string, afterSeq: number, limit: number): Promise<MessageRow[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM messages WHERE session_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
      [sessionId, afterSeq, limit],
    );
    return rows;
  }

  /** The newest `limit` messages in chronological order (history views with a limit). */
  async listTail(sessionId: string, limit: number): Promise<MessageRow[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM (SELECT * FROM messages WHERE session_id = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq ASC`,
      [sessionId, limit],
    );
    return rows;
  }

  async findByClientMessageId(sessionId: string, clientMessageId: string): Promise<MessageRow | null> {
    const { rows } = await this.db.query<MessageRow>(`SELECT * FROM messages WHERE session_id = $1 AND client_message_id = $2`, [sessionId, clientMessageId]);
    return rows[0] ?? null;
  }

  /**
   * The answer that closed the turn started by the user message at `userSeq`: only rows
   * before the next user message count, since a turn cut by a crash has no answer of its own.
   */
  async findReplyTo(sessionId: string, userSeq: number): Promise<MessageRow | null> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT * FROM messages
       WHERE session_id = $1 AND seq > $2 AND role = 'assistant' AND tool_calls IS NULL
         AND seq < COALESCE((SELECT min(seq) FROM messages WHERE session_id = $1 AND seq > $2 AND role = 'user'), 2147483647)
       ORDER BY seq LIMIT 1`,
      [sessionId, userSeq],
    );
    return rows[0] ?? null;
  }

  /** Active sessions (or the one given) whose newest message is a user message: turns that may have died unanswered. */
  async findUnanswered(limit: number, sessionId: string | null = null): Promise<SessionRow[]> {
    const { rows } = await this.db.query<SessionRow>(
      `SELECT s.* FROM sessions s JOIN messages m ON m.session_id = s.id AND m.seq = s.message_count
       WHERE s.status = 'active' AND m.role = 'user' AND ($2::uuid IS NULL OR s.id = $2::uuid) LIMIT $1`,
      [limit, sessionId],
    );
    return rows;
  }

  async findBySeq(sessionId: string, seq: number): Promise<MessageRow | null> {
    const { rows } = await this.db.query<MessageRow>(`SELECT * FROM messages WHERE session_id = $1 AND seq = $2`, [sessionId, seq]);
    return rows[0] ?? null;
  }

  async end(sessionId: string, status: Exclude<SessionStatus, 'active' | 'deleted'>, by: EndedBy, now: Date): Promise<SessionRow | null> {
    const { rows } = await this.db.query<SessionRow>(
      `UPDATE sessions SET status = $2, ended_at = $3, ended_by = $4 WHERE id = $1 AND status = 'active' RETURNING *`,
      [sessionId, status, now, by],
    );
    return rows[0] ?? null;
  }

  /** Ends a batch of overdue sessions; SKIP LOCKED lets several instances sweep without stepping on each other. */
  async expireDue(now: Date, batch: number): Promise<SessionRow[]> {
    const { rows } = await this.db.query<SessionRow>(
      `UPDATE sessions SET status = 'expired', ended_at = $1, ended_by = 'ttl'
       WHERE id IN (SELECT id FROM sessions WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         AND status = 'active'
       RETURNING *`,
      [now, batch],
    );
    return rows;
  }

  /** GDPR delete: messages go, the session row stays as anonymous aggregates. */
  async purge(sessionId: string, by: EndedBy, now: Date): Promise<SessionRow | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM messages WHERE session_id = $1`, [sessionId]);
      const { rows } = await tx.query<SessionRow>(
        `UPDATE sessions SET status = 'deleted', key = 'deleted:' || id::text, end_user_id = NULL, participants = '{}', summary = NULL,
                ended_at = COALESCE(ended_at, $2), ended_by = COALESCE(ended_by, $3)
         WHERE id = $1 AND status <> 'deleted' RETURNING *`,
        [sessionId, now, by],
      );
      return rows[0] ?? null;
    });
  }

  async idsEndedBefore(cutoff: Date, batch: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM sessions WHERE status IN ('expired', 'cleared') AND ended_at < $1 ORDER BY ended_at LIMIT $2`,
      [cutoff, batch],
    );
    return rows.map((r) => r.id);
  }

  async saveSummary(sessionId: string, summary: string, throughSeq: number): Promise<void> {
    await this.db.query(`UPDATE sessions SET summary = $2, summary_through_seq = $3 WHERE id = $1 AND summary_through_seq < $3`, [sessionId, summary, throughSeq]);
  }
}
