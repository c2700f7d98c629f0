import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';
import { InFlightRegistry } from '@api/chat/in-flight.registry.js';
import { AppConfig } from '@api/config/app-config.js';

/** After the grace period, aborted turns get this long to post what they have. */
const AFTER_ABORT_MS = 5_000;

/**
 * Work a webhook has acknowledged but not yet done. Providers want an answer within a few
 * seconds (Slack retries after 3 s), so the turn runs after the 200: every task is tracked
 * here so its errors are logged, and shutdown lets it finish before storage closes.
 */
@Injectable()
export class WebhookWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('webhooks');
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closing = false;

  constructor(
    private readonly inFlight: InFlightRegistry,
    private readonly config: AppConfig,
  ) {}

  /** Refused with a retryable 503 while shutting down: the provider redelivers to another instance. */
  assertAccepting(): void {
    if (this.closing || !this.inFlight.accepting) throw new ApiError('unavailable', 'this instance is shutting down; retry', { 'retry-after': '5' });
  }

  /** Runs `work` after the current request; failures are logged with `label`, never thrown. */
  run(label: string, work: (signal: AbortSignal) => Promise<void>): void {
    const task: Promise<void> = Promise.resolve()
      .then(() => work(this.abort.signal))
      .catch((error: unknown) => this.logger.error(`${label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once every task started so far, and any it started, has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.pending.size === 0) return;
    this.logger.log(`finishing ${this.pending.size} webhook turn(s)`);
    if (await this.settledWithin(this.config.env.SHUTDOWN_GRACE_MS)) return;
    this.logger.warn(`aborting ${this.pending.size} webhook turn(s) after the grace period; their user messages are stored`);
    this.abort.abort();
    if (!(await this.settledWithin(AFTER_ABORT_MS))) this.logger.warn(`${this.pending.size} webhook turn(s) did not stop`);
  }

  private async settledWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.settled().then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
