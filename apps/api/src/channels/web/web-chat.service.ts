import { Injectable } from '@nestjs/common';
import type { PostWebMessageBody, TurnReply, WebHistoryResponse } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { assertCleanText } from '@api/common/validate.js';
import { AppConfig } from '@api/config/app-config.js';
import { NULL_SINK, type TurnResult, type TurnSink } from '@api/chat/turn.types.js';
import { TurnService } from '@api/chat/turn.service.js';
import { SessionRepository } from '@api/sessions/session.repository.js';
import { SessionsService } from '@api/sessions/sessions.service.js';
import { toMessageDto, type SessionRow } from '@api/sessions/session.types.js';
import { WebRateLimiter } from './web-rate-limiter.js';

/** What web REST and the /chat socket share: turns, history and clearing for one web key. */
@Injectable()
export class WebChatService {
  constructor(
    private readonly turns: TurnService,
    private readonly sessions: SessionsService,
    private readonly repo: SessionRepository,
    private readonly config: AppConfig,
    private readonly limiter: WebRateLimiter,
  ) {}

  async open(sessionId: string): Promise<SessionRow> {
    return (await this.sessions.getOrCreate({ channel: 'web', key: sessionId })).session;
  }

  async reply(sessionId: string, body: PostWebMessageBody, address: string | null = null): Promise<TurnReply> {
    if ('sessionId' in body && body.sessionId !== undefined && body.sessionId !== sessionId) {
      throw new ApiError('bad_request', 'sessionId in the body does not match the session in the URL');
    }
    const text = 'message' in body ? body.message : body.question;
    const participant = 'participant' in body ? (body.participant ?? null) : null;
    const result = await this.send(sessionId, text, { participant, address, sink: NULL_SINK });
    return toReply(sessionId, result);
  }

  async send(
    sessionId: string,
    text: string,
    options: { participant?: string | null; clientMessageId?: string | null; address?: string | null; sink?: TurnSink; signal?: AbortSignal },
  ): Promise<TurnResult> {
    assertCleanText(text, this.config.env.MAX_MESSAGE_BYTES);
    await this.limiter.take(sessionId, options.address ?? null);
    return this.turns.run({
      identity: { channel: 'web', key: sessionId },
      text,
      participant: options.participant ?? null,
      clientMessageId: options.clientMessageId ?? null,
      sink: options.sink ?? NULL_SINK,
      signal: options.signal,
    });
  }

  /** The current thread's messages; an ended thread shows as such, with no messages. */
  async history(sessionId: string, afterSeq: number, limit: number): Promise<WebHistoryResponse> {
    const current = await this.sessions.currentOf('web', sessionId);
    const latest = current ?? (await this.sessions.findLatest('web', sessionId));
    const rows = current ? await this.repo.listMessages(current.id, afterSeq, limit) : [];
    return {
      sessionId,
      status: latest?.status ?? null,
      expiresAt: current?.expires_at.toISOString() ?? null,
      messages: rows.map(toMessageDto),
    };
  }

  async clear(sessionId: string): Promise<boolean> {
    const current = await this.sessions.currentOf('web', sessionId);
    return current ? (await this.sessions.clear(current, 'user')) !== null : false;
  }
}

/** A turn that produced no answer at all is an error to the caller; a partial one is still an answer. */
export function toReply(sessionId: string, result: TurnResult): TurnReply {
  if (result.error && result.assistant.status === 'error') {
    throw new ApiError(result.error.code, result.error.message);
  }
  return {
    sessionId,
    response: result.assistant.content,
    message: result.assistant,
    usage: result.usage,
    costMicros: result.costMicros,
    newThread: result.newThread,
  };
}
