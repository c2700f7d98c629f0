import { Injectable } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';
import { BoundedMap } from '@api/common/bounded-map.js';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';

/** Addresses remembered as blocked on this instance; past this the least recently seen is forgotten (and refused again on its next failure). */
const MAX_BLOCKED = 10_000;

/**
 * Throttles guessing of bearer credentials (API keys and MASTER_KEY) per client address,
 * in fixed windows of AUTH_FAILURE_WINDOW. Failures are counted in Coordination, so every
 * instance behind a load balancer adds to the same total; once it passes
 * AUTH_FAILURE_LIMIT the address is refused before any key it sends is compared, so a
 * blocked guesser learns nothing, not even from a right guess.
 *
 * Successes are not counted and cost no round trip: the block is checked against a map
 * on this instance, filled by the failure that crossed the limit here. Another instance
 * learns of it on the address's next failure there, so all instances together verify at
 * most one extra guess each per window.
 */
@Injectable()
export class AuthFailureLimiter {
  readonly limit: number;
  readonly windowSeconds: number;
  private readonly blockedUntil = new BoundedMap<number>(MAX_BLOCKED);

  constructor(
    private readonly coordination: Coordination,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.limit = config.env.AUTH_FAILURE_LIMIT;
    this.windowSeconds = config.env.AUTH_FAILURE_WINDOW;
  }

  /** Throws 429 while `address` is blocked; call before comparing the credential it sent. */
  assertAllowed(address: string | null): void {
    if (!address || this.limit <= 0) return;
    const now = this.clock.now().getTime();
    const until = this.blockedUntil.get(address, now);
    if (until !== undefined) throw this.refusal(until, now);
  }

  /** Counts a wrong credential from `address`; throws 429 once the window's total passes the limit. */
  async recordFailure(address: string | null): Promise<void> {
    if (!address || this.limit <= 0) return;
    const now = this.clock.now().getTime();
    const windowMs = this.windowSeconds * 1000;
    const windowIndex = Math.floor(now / windowMs);
    // Twice the window: the counter must outlive its window even if two instances' clocks differ a little.
    const total = await this.coordination.increment(`auth-fail:${address}:${windowIndex}`, 1, 2 * this.windowSeconds);
    if (total <= this.limit) return;
    const until = (windowIndex + 1) * windowMs;
    this.blockedUntil.set(address, until, until - now, now);
    throw this.refusal(until, now);
  }

  private refusal(until: number, now: number): ApiError {
    const retryAfter = Math.max(1, Math.ceil((until - now) / 1000));
    return new ApiError('rate_limited', `too many requests with a wrong key from your network address; try again in ${retryAfter} s`, { 'retry-after': String(retryAfter) });
  }
}
