/**
 * Background work that runs every `everyMs` in each instance (sweeps, pruning, index upkeep).
 * A run never overlaps another: a tick or a caller that comes while one is in progress
 * shares it. The timer does not keep the process alive, and `close` lets the run in
 * progress finish, so shutdown never cuts a statement in half.
 */
export class PeriodicJob<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private closed = false;

  /** `run` handles its own errors: a rejected run would surface as an unhandled rejection from the timer. */
  constructor(
    private readonly everyMs: number,
    private readonly run: () => Promise<T>,
  ) {}

  /** Does nothing once closed: a start decided asynchronously may come after shutdown. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  /** Whether runs are scheduled. */
  get active(): boolean {
    return this.timer !== null;
  }

  /** One run now, or the one in progress. */
  runOnce(): Promise<T> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  /** No further runs; safe to call from inside a run. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** No further runs, and the one in progress finished. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.running?.catch(() => undefined);
  }
}
