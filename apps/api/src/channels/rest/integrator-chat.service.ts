import { Injectable } from '@nestjs/common';
import type { ChatResponse, HistoryResponse, SessionStatsResponse } from '@threadline/contracts';
import type { FastifyReply } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { assertCleanText } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { TurnService } from '@api/chat/turn.service.js';
import { NULL_SINK } from '@api/chat/turn.types.js';
import { SessionRepository, type SessionIdentity } from '@api/sessions/session.repository.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { Database } from '@api/storage/database.js';
import type { IntegratorCaller } from './integrator-auth.js';
import { SseStream } from './sse.js';

type Thread = { threadId: string; identity: SessionIdentity };

@Injectable()
export class IntegratorChatService {
  constructor(
    private readonly turns: TurnService,
    private readonly sessions: SessionsService,
    private readonly repo: SessionRepository,
    private readonly db: Database,
    private readonly config: AppConfig,
  ) {}

  checkMessage(message: string): void {
    assertCleanText(message, this.config.env.MAX_MESSAGE_BYTES);
  }

  async reply(caller: IntegratorCaller, thread: Thread, message: string): Promise<ChatResponse> {
    this.checkMessage(message);
    const result = await this.turns.run({ identity: thread.identity, text: message, participant: caller.userId, isStaff: caller.isStaff, sink: NULL_SINK });
    if (result.error && result.assistant.status === 'error') throw new ApiError(result.error.code, result.error.message);
    return {
      response: result.assistant.content,
      thread_id: thread.threadId,
      message_id: result.assistant.id,
      status: result.assistant.status,
      usage: result.usage,
      cost: result.costMicros,
    };
  }

  /** The turn runs to the end even if the client goes away: the answer is stored and shows in history. */
  async stream(caller: IntegratorCaller, thread: Thread, message: string, reply: FastifyReply): Promise<void> {
    let sse: SseStream | null = null;
    const open = () => (sse ??= new SseStream(reply));
    const result = await this.turns.run({
      identity: thread.identity,
      text: message,
      participant: caller.userId,
      isStaff: caller.isStaff,
      sink: {
        started: () => void open(),
        status: (text) => open().send({ type: 'status', content: text }),
        delta: (text) => open().send({ type: 'token', content: text }),
      },
    });
    const stream = open();
    if (result.error) stream.send({ type: 'error', code: result.error.code, message: result.error.message });
    stream.send({
      type: 'done',
      thread_id: thread.threadId,
      message_id: result.assistant.id,
      status: result.assistant.status,
      usage: result.usage,
      cost: result.costMicros,
    });
    stream.end();
  }

  async history(thread: Thread, limit: number): Promise<HistoryResponse> {
    const session = await this.sessions.currentOf(thread.identity.channel, thread.identity.key);
    const rows = session ? await this.repo.listTail(session.id, limit) : [];
    return {
      thread_id: thread.threadId,
      message_count: session?.message_count ?? 0,
      messages: rows.map((r) => ({ id: r.id, seq: r.seq, role: r.role, content: r.content, status: r.status, timestamp: r.created_at.toISOString() })),
    };
  }

  async clear(thread: Thread): Promise<boolean> {
    const session = await this.sessions.currentOf(thread.identity.channel, thread.identity.key);
    return session ? (await this.sessions.clear(session, 'user')) !== null : false;
  }

  /** Seed 002's `GET /chat/sessions`: the user's totals across all of their threads. */
  async stats(caller: IntegratorCaller, thread: Thread): Promise<SessionStatsResponse> {
    const { rows } = await this.db.query<{ messages: number; tokens: string | number; started: Date | null; last: Date | null }>(
      `SELECT coalesce(sum(message_count), 0)::int AS messages,
              coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens,
              min(created_at) AS started, max(last_activity_at) AS last
       FROM sessions WHERE channel = 'api' AND tenant = $1 AND end_user_id = $2 AND status <> 'deleted'`,
      [caller.tenant, caller.userId],
    );
    const row = rows[0]!;
    return {
      user_id: caller.userId,
      thread_id: thread.threadId,
      total_messages: row.messages,
      total_tokens_used: Number(row.tokens),
      session_start: row.started?.toISOString() ?? null,
      last_activity: row.last?.toISOString() ?? null,
    };
  }
}
