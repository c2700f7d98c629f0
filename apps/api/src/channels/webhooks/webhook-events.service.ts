import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@api/common/clock.js';
import { PeriodicJob } from '@api/common/periodic-job.js';
import { Database } from '@api/storage/database.js';

/** Longer than any provider keeps redelivering (Slack: about an hour; Meta: up to a day and a half). */
const KEEP_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 5_000;

/**
 * Which webhook deliveries have been taken on, in the database so every instance agrees:
 * a retry or duplicate that reaches another instance is still answered once.
 */
@Injectable()
export class WebhookEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('webhooks');
  private readonly pruning = new PeriodicJob(PRUNE_EVERY_MS, () => this.pruneAll().catch((error: Error) => this.logger.warn(`pruning webhook events failed: ${error.message}`)));

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Records every id at once; true only when none had been seen, so the caller owns the
   * delivery. Several ids let one delivery be known by more than one name (a Slack message
   * arrives both as `app_mention` and as `message`, with different event ids).
   */
  async claim(ids: Array<{ provider: string; eventId: string }>): Promise<boolean> {
    if (ids.length === 0) return true;
    const params: unknown[] = [this.clock.now()];
    const values = ids.map(({ provider, eventId }) => {
      params.push(provider, eventId);
      return `($${params.length - 1}, $${params.length}, $1::timestamptz)`;
    });
    const { rows } = await this.db.query<{ event_id: string }>(
      `INSERT INTO webhook_events (provider, event_id, created_at) VALUES ${values.join(', ')}
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      params,
    );
    return rows.length === ids.length;
  }

  onApplicationBootstrap(): void {
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.close();
  }

  /** Deletes ids no provider will redeliver any more, in batches; overlapping calls share one pass. */
  prune(): Promise<void> {
    return this.pruning.runOnce();
  }

  private async pruneAll(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - KEEP_MS);
    for (;;) {
      const { rows } = await this.db.query(
        `DELETE FROM webhook_events WHERE (provider, event_id) IN
           (SELECT provider, event_id FROM webhook_events WHERE created_at < $1 LIMIT ${PRUNE_BATCH})
         RETURNING event_id`,
        [cutoff],
      );
      if (rows.length < PRUNE_BATCH) break;
    }
  }
}
