import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import { SessionEvents } from '@api/sessions/session-events.js';
import { SessionRepository } from '@api/sessions/session.repository.js';
import { toMessageDto, type SessionRow } from '@api/sessions/session.types.js';
import { SessionsService } from '@api/sessions/sessions.service.js';

const BATCH = 500;
const PARALLEL = 16;

/**
 * An answer is stored when it ends, so a process killed mid-answer leaves its thread
 * ending in a user message. At boot each such thread whose turn lock is free (no live
 * turn on any instance) gets an empty `error` answer: the thread says the answer was
 * cut, failed answers stay out of the window, and a resend is told what happened.
 */
@Injectable()
export class InterruptedTurns implements OnApplicationBootstrap {
  private readonly logger = new Logger('recovery');

  constructor(
    private readonly repo: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly coordination: Coordination,
    private readonly events: SessionEvents,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: a big backlog must not hold up the health check.
    void this.markAll().catch((error: Error) => this.logger.warn(`interrupted turns not checked: ${error.message}`));
  }

  async markAll(): Promise<number> {
    let marked = 0;
    const pending = await this.repo.findUnanswered(BATCH);
    // A few at a time: each may wait out a dead holder's lease or a live turn elsewhere.
    for (let i = 0; i < pending.length; i += PARALLEL) {
      const done = await Promise.all(pending.slice(i, i + PARALLEL).map((session) => this.mark(session)));
      marked += done.filter(Boolean).length;
    }
    if (marked) this.logger.log(`marked ${marked} answer(s) cut by a previous stop`);
    return marked;
  }

  private async mark(session: SessionRow): Promise<boolean> {
    // A dead holder keeps the lock until its lease lapses; queued first, we get it before
    // the thread's next turn. A live turn elsewhere ends with its answer, found below.
    const leaseMs = this.config.env.TURN_LOCK_LEASE_MS;
    const lock = await this.coordination.acquireTurnLock(`${session.channel}:${session.key}`, { waitMs: leaseMs + 1000, leaseMs }).catch(() => null);
    if (!lock) return false;
    try {
      // Asked again under the lock: a turn may have answered it while we waited.
      const [fresh] = await this.repo.findUnanswered(1, session.id);
      if (!fresh) return false;
      const stored = await this.sessions.append(fresh, { role: 'assistant', content: '', status: 'error', tokenCount: 0 }, { fence: lock.fence, evenIfEnded: true });
      if (stored) this.events.emit('message', fresh, toMessageDto(stored.row));
      return stored !== null;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}
