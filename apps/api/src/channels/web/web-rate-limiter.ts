import { Injectable } from '@nestjs/common';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from '@api/coordination/coordination.port.js';
import { WIDGET_RATE_DEFAULTS } from './widget.env.js';

const WINDOW_MS = 60_000;

/**
 * Messages per minute per web session and per client address, in fixed one-minute
 * windows. Counters live in Coordination, so several instances behind a load balancer
 * count together (Redis) instead of each allowing the full rate.
 */
@Injectable()
export class WebRateLimiter {
  readonly perSession: number;
  readonly perAddress: number;

  constructor(
    private readonly coordination: Coordination,
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    const { WIDGET_RATE_PER_MINUTE, WIDGET_RATE_PER_MINUTE_PER_ADDRESS, NODE_ENV } = config.env;
    const testing = NODE_ENV === 'test';
    this.perSession = WIDGET_RATE_PER_MINUTE ?? (testing ? 0 : WIDGET_RATE_DEFAULTS.perSession);
    this.perAddress = WIDGET_RATE_PER_MINUTE_PER_ADDRESS ?? (testing ? 0 : WIDGET_RATE_DEFAULTS.perAddress);
  }

  async take(sessionId: string, address: string | null): Promise<void> {
    const now = this.clock.now().getTime();
    const window = Math.floor(now / WINDOW_MS);
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    const limits: Array<[limit: number, key: string, scope: string]> = [[this.perSession, `rate:web:session:${sessionId}:${window}`, 'in this conversation']];
    if (address) limits.push([this.perAddress, `rate:web:address:${address}:${window}`, 'from your network address']);
    for (const [limit, key, scope] of limits) {
      if (limit <= 0) continue;
      // Twice the window: a counter must outlive its window even if the clocks of two instances differ a little.
      const count = await this.coordination.increment(key, 1, (2 * WINDOW_MS) / 1000);
      if (count > limit) {
        throw new ApiError('rate_limited', `Too many messages ${scope}: at most ${limit} a minute. Try again in ${retryAfter} s.`, { 'retry-after': String(retryAfter) });
      }
    }
  }
}
