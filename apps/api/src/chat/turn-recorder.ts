import { Injectable } from '@nestjs/common';
import type { AppliedPrice, MessageDto } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { AppConfig } from '@api/config/app-config.js';
import { isUniqueViolation } from '@api/storage/database.js';
import { SessionsService, type PredictedWindow, type WindowPeek } from '@api/sessions/sessions.service.js';
import { SessionRepository, type SessionIdentity } from '@api/sessions/session.repository.js';
import { toMessageDto, type MessageRow, type SessionRow } from '@api/sessions/session.types.js';
import type { WindowRow } from '@api/sessions/window-cache.js';
import type { UpstreamUsage } from '@api/llm/chat-model.port.js';
import { estimateMessageTokens } from '@api/usage/token-counter.js';
import { alreadyStored, toNewMessage } from './client-turn.js';
import type { RoundOutcome } from './model-round.js';
import type { ClientTurn, TurnInput, TurnResult } from './turn.types.js';

export type StoredUserMessage =
  | { duplicateOf: null; session: SessionRow; userMessage: MessageDto; newThread: boolean; window: WindowRow[] | null | undefined }
  | { duplicateOf: TurnResult };

/** Writes a turn's messages; the user message always lands before the model is asked. */
@Injectable()
export class TurnRecorder {
  constructor(
    private readonly sessions: SessionsService,
    private readonly repo: SessionRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * `fence`: the turn lock's (see Coordination.acquireTurnLock); every write of the turn carries it.
   * `peeked`: the thread's cached window, read while the lock was asked for.
   * `onOpened`: told, before the message is sent, when this call opened the thread's session
   * (no peek could be taken: the thread was unknown), with a peek of its empty window.
   */
  async storeUserMessage(input: TurnInput, fence: number, peeked: WindowPeek | null = null, onOpened?: (peek: WindowPeek) => void): Promise<StoredUserMessage> {
    const message = {
      role: 'user' as const,
      content: input.text,
      participant: input.participant ?? null,
      tokenCount: userTokenCount(input),
      clientMessageId: input.clientMessageId ?? null,
      apiKeyId: input.identity.apiKeyId ?? null,
    };
    let resolved = await this.sessions.getOrCreate(input.identity);
    let newThread = resolved.created && resolved.replacedEnded;
    if (resolved.created) onOpened?.(this.sessions.peekOf(resolved.session));
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const stored = await this.sessions.append(resolved.session, message, { fence, readWindow: true, peeked });
        if (stored) return { duplicateOf: null, session: resolved.session, userMessage: toMessageDto(stored.row), newThread, window: stored.window };
      } catch (error) {
        if (input.clientMessageId && isUniqueViolation(error)) return this.resent(resolved.session, input.clientMessageId);
        throw error;
      }
      // Cleared or expired between lookup and write: the message opens the key's next thread.
      resolved = await this.sessions.getOrCreate(input.identity);
      newThread = true;
    }
    throw new ApiError('conflict', 'the conversation changed while your message was being saved; please send it again');
  }

  /** At a turn's end, before its lock is released (see SessionsService.flushWindowReports). */
  flushWindowReports(): void {
    this.sessions.flushWindowReports();
  }

  /** Starts reading the thread's cached window (see SessionsService.peekWindow). */
  peekWindow(input: TurnInput): WindowPeek | null {
    return this.sessions.peekWindow(input.identity);
  }

  /** The window `storeUserMessage` will return, guessed from the peek while it runs (see isFulfilledBy). */
  predictWindow(input: TurnInput, peeked: WindowPeek): Promise<PredictedWindow | null> {
    return this.sessions.predictWindow(peeked, { role: 'user', content: input.text, token_count: userTokenCount(input) });
  }

  /** The stored message landed where the prediction assumed, so the window it gives is the one predicted. */
  isFulfilledBy(predicted: PredictedWindow, stored: StoredUserMessage): boolean {
    if (stored.duplicateOf || !stored.window) return false;
    const { session, userMessage, window } = stored;
    const [guessed, actual] = [predicted.rows.at(-1), window.at(-1)];
    return (
      session === predicted.session &&
      userMessage.seq === predicted.seq &&
      // The count is userTokenCount's on both sides; the text is what was stored.
      guessed?.content === actual?.content &&
      session.summary === predicted.summary.summary &&
      session.summary_through_seq === predicted.summary.summary_through_seq
    );
  }

  /**
   * A client turn's messages (OpenAI-compatible channel), in order, skipping those a
   * retry resends (see alreadyStored); an empty thread is first seeded with the client's
   * earlier messages. The newest of them stands for the turn's user message.
   */
  async storeClientMessages(input: TurnInput, client: ClientTurn, fence: number): Promise<StoredUserMessage> {
    let resolved = await this.sessions.getOrCreate(input.identity);
    let newThread = resolved.created && resolved.replacedEnded;
    for (let attempt = 0; attempt < 3; attempt++) {
      const newest = await this.repo.loadNewest(resolved.session.id, client.messages.length);
      let last: MessageRow | null = newest[0] ?? null;
      let stored = true;
      let window: WindowRow[] | null | undefined;
      const fresh = newest.length ? client.messages.slice(alreadyStored(newest, client.messages)) : [...(client.earlier ?? []), ...client.messages];
      for (const [index, message] of fresh.entries()) {
        const appended = await this.sessions.append(resolved.session, toNewMessage(message, input.participant ?? null, input.identity.apiKeyId ?? null), {
          fence,
          readWindow: index === fresh.length - 1,
        });
        if (!appended) {
          stored = false;
          break;
        }
        last = appended.row;
        window = appended.window;
      }
      if (stored && last) return { duplicateOf: null, session: resolved.session, userMessage: toMessageDto(last), newThread, window };
      // Cleared or expired between lookup and write: the messages open the key's next thread.
      resolved = await this.sessions.getOrCreate(input.identity);
      newThread = true;
    }
    throw new ApiError('conflict', 'the conversation changed while your message was being saved; please send it again');
  }

  async storeAssistant(
    session: SessionRow,
    outcome: RoundOutcome,
    usage: UpstreamUsage & { estimated: boolean },
    costMicros: number | null,
    model: string,
    charge: { price: AppliedPrice | null; apiKeyId: string | null },
    fence: number,
  ): Promise<MessageDto> {
    const status = outcome.error ? (outcome.text ? 'partial' : 'error') : 'complete';
    const stored = await this.sessions.append(
      session,
      {
        role: 'assistant',
        content: outcome.text,
        status,
        toolCalls: outcome.toolCalls.length ? outcome.toolCalls : null,
        model,
        tokenCount: estimateMessageTokens(outcome.text, outcome.toolCalls),
        usage,
        costMicros,
        price: charge.price,
        apiKeyId: charge.apiKeyId,
      },
      // A staff clear during the answer still records it in the transcript it belongs to.
      // A final answer need not hold the reply until it is on disk (ANSWER_COMMIT); tool
      // calls do, since the tools they start may act on the world.
      { evenIfEnded: true, fence, durable: outcome.toolCalls.length > 0 || this.config.env.ANSWER_COMMIT === 'sync' },
    );
    return toMessageDto(stored!.row);
  }

  async storeToolResult(session: SessionRow, toolCallId: string, content: string, fence: number): Promise<MessageDto> {
    const stored = await this.sessions.append(session, { role: 'tool', content, toolCallId, tokenCount: estimateMessageTokens(content) }, { evenIfEnded: true, fence });
    return toMessageDto(stored!.row);
  }

  latestSession(identity: SessionIdentity): Promise<SessionRow | null> {
    return this.sessions.findLatest(identity.channel, identity.key);
  }

  /**
   * A resend of a message already stored: answer with what the first one got. We hold the
   * thread's turn lock, so a stored message without an answer is one whose turn died (a
   * crash): when it is still the newest message it is answered now, without storing it twice.
   */
  private async resent(session: SessionRow, clientMessageId: string): Promise<StoredUserMessage> {
    const repo = this.repo;
    const user = await repo.findByClientMessageId(session.id, clientMessageId);
    const answer = user ? await repo.findReplyTo(session.id, user.seq) : null;
    if (user && !answer && user.seq === (await repo.findById(session.id))?.message_count) {
      return { duplicateOf: null, session, userMessage: toMessageDto(user), newThread: false, window: undefined };
    }
    if (!user || !answer) throw new ApiError('conflict', 'this message was already received but its answer was lost; please send it again as a new message');
    const dto = toMessageDto(answer);
    return {
      duplicateOf: { turnId: answer.id, session, userMessage: toMessageDto(user), assistant: dto, newThread: false, usage: dto.usage, costMicros: dto.costMicros, error: null, command: null },
    };
  }
}

const userTokenCounts = new WeakMap<TurnInput, number>();

/** Counted once per turn: the early answer's prediction and the store both need it, and tokenizing is not free. */
function userTokenCount(input: TurnInput): number {
  let count = userTokenCounts.get(input);
  if (count === undefined) userTokenCounts.set(input, (count = estimateMessageTokens(input.text)));
  return count;
}
