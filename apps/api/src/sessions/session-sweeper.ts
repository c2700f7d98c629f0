import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@api/common/clock.js';
import { PeriodicJob } from '@api/common/periodic-job.js';
import { AppConfig } from '@api/config/app-config.js';
import { SessionEvents } from './session-events.js';
import { SessionRepository } from './session.repository.js';
import { SessionsService } from './sessions.service.js';
import { WindowCache } from './window-cache.js';

const BATCH = 500;

/**
 * Expires overdue sessions and, with RETENTION_DAYS, deletes old transcripts. Every
 * instance runs one; SKIP LOCKED keeps them from doing the same row twice. Access
 * paths also check expiry themselves, so a stopped sweeper never serves stale context.
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('sweeper');
  private readonly job: PeriodicJob<void>;

  constructor(
    private readonly repo: SessionRepository,
    private readonly sessions: SessionsService,
    private readonly events: SessionEvents,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly windows: WindowCache,
  ) {
    this.job = new PeriodicJob(config.env.SWEEP_INTERVAL * 1000, () => this.sweep().catch((error: Error) => this.logger.warn(`sweep failed: ${error.message}`)));
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.close();
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweepOnce(): Promise<void> {
    return this.job.runOnce();
  }

  private async sweep(): Promise<void> {
    for (;;) {
      const expired = await this.repo.expireDue(this.clock.now(), BATCH);
      // Issued together, the drops go to Redis as one pipeline.
      await Promise.all(expired.map((session) => this.windows.drop(session.id)));
      for (const session of expired) {
        this.events.emit('ended', session, 'ttl');
        this.events.emit('updated', session);
      }
      if (expired.length < BATCH) break;
    }
    const days = this.config.env.RETENTION_DAYS;
    if (days > 0) {
      const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000);
      for (const id of await this.repo.idsEndedBefore(cutoff, BATCH)) {
        const session = await this.repo.findById(id);
        if (session) await this.sessions.delete(session, 'retention');
      }
    }
  }
}
